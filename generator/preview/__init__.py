"""serve --watch: the watcher, the HTTP server and the rebuild loop."""
