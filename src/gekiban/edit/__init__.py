"""Edits of a composed cue: pure changes of a Score (:mod:`~gekiban.edit.edits`,
:mod:`~gekiban.edit.keys`) and the bundle operations built on them and on the pipeline
(:mod:`~gekiban.edit.operations`: edit, vary, extend a bundle on disk)."""
