"""The build's stages: each reads, parses, relates, renders or writes with the cache and the
workers; generator.build calls them in order. Pure work is delegated to generator.core."""
