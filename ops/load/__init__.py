"""A realistic stream of reports for intake: `gridloop loadgen`, `make bench`, chaos runs.

``stream`` decides what each report says and where it comes from, ``photos`` makes the
pictures, ``credentials`` signs the callers, ``profile`` says how fast to send and
``sender`` posts the reports and keeps what intake answered.
"""
