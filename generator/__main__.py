"""`python -m generator` is the `newsarchive` command."""
import sys

from generator.cli import main

sys.exit(main())
