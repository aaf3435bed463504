"""Generators of synthetic data for dms-ingest: training corpus, evaluation sets, sample inbox, test pages.

Nothing in ``dms_ingest`` imports this package (a test checks it); the generators may use the
production code (check digits, registry CSV, name folding), never the other way round.

Shared building blocks:

* ``people``     invented persons, addresses, organisations, dates and amounts
* ``letters``    letters on paper (``Sheet``, stamps, letterheads, DejaVu fonts) and in text (``LetterParts``)
* ``scan``       scan damage (skew, rotation, illumination, dust, noise) and bilevel scans
* ``ocr_noise``  OCR-like damage of text (confusions, broken words, MRZ and case-number variants)
* ``pdf``        PDF files as scanners and office software write them
* ``mrz``        machine-readable zones of invented passports

Generators (each runnable with ``python -m dms_datagen.NAME``):

* ``training_corpus``  the document-type classifier's corpus and the shipped model
* ``evaluation_set``   a labelled set with a registry full of traps, for ``dms eval``
* ``samples``          the sample inbox in ``samples/`` (byte for byte)
"""
