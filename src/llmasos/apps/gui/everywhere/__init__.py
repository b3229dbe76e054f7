"""LLMasOS everywhere: one instance per user, actions on the selected text, their popup.

``instance`` is the local-socket server and client (protocol in
:mod:`llmasos.services.everywhere.protocol`), ``selection`` reads the PRIMARY selection,
``popup`` shows the streamed answer, ``controller`` ties them to the kernel.
"""
