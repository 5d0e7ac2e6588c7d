"""JSON API of the directory, shaped like the Open Referral HSDS 3.1 API."""
