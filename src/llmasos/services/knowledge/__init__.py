"""Knowledge: collections of the person's documents, indexed for search (no Qt).

``extract`` reads files into text with pages and headings, ``chunks`` cuts them on that
structure, ``store`` keeps collections, files, chunks and vectors in one SQLite file,
``indexer.sync`` brings a collection in step with its folders (a cancellable generator
of progress), and ``search`` ranks passages lexically, by vector, or both fused.
"""
