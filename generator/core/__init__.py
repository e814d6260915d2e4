"""Pure values in, values out: no files, no processes, no clock."""
