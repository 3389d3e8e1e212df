"""Background jobs: our registry and queue (``queue``), the arq worker (``worker``), and the jobs
that belong to no bounded context (``heartbeat``). Contexts keep their own jobs in their package
and list the module in ``queue.JOB_MODULES``."""
