"""Work that runs longer than one transaction and owns its transactions: audit sweeps, the collector of
unreferenced blobs, and the check of a blob's bytes as they are served.

Each takes a unit-of-work factory, not a unit of work: it opens as many transactions as its work needs
(a batch each, a blob each, a failure each), and each sweep (each server thread running one) makes its
own unit of work; the threads that read and hash a batch's blobs never touch the database.
"""
