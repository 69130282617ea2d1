"""Use cases called by the CLI and the web app. Each service module is a mixin of :class:`aia.project.Project`."""
