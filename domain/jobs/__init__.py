"""Background work on a durable queue: kinds of job with their handlers, queued in the caller's unit of work, run
once across workers and replicas, retried with backoff, resumed after a restart."""
