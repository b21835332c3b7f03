"""The HTTP server: the job queue, the FastAPI app and the web studio (``gekiban serve``)."""
