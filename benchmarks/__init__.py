"""`make bench`: accuracy and throughput tables on freshly generated lockbox mail."""
