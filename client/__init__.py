"""Client SDK and CLI for every role (architecture §1): keys live in PKCS#12 files on the client's
side and documents are signed here, as NCALayer does; private keys never reach a server."""
