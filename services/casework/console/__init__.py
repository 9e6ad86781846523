"""The browser console: static pages served by casework that call the services' APIs."""
