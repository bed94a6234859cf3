"""Teaching: the classic tutorial's data and networks, one training step narrated (``explain``), and the
numerical gradient check (``gradcheck``)."""
