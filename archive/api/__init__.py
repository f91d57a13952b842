"""The HTTP edge: routes, authentication, problem details. Thin: every decision is a service's."""
