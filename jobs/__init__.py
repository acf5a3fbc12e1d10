"""The CLI, the daily job, alerting and the offline replay server."""
