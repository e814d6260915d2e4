"""What happens after a build: deploy, the Pages workflow, link and script checks, search."""
