"""The HTTP edge, sliced by feature: each `api/<feature>/` holds its routes and its own wire models; `app`
assembles them. Thin: every decision is a service's."""
