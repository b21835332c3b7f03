"""The quality instrument: metrics of gekiban's output (or any MIDI) and how close they sit to
music people wrote.

* :func:`evaluate_score` / :func:`evaluate_paths`: per-track pitch and rhythm statistics (MusPy),
  structure (recurring bars, LZ/zlib repetition of the lead), playability against the
  instrument registry, and the longest lead phrase that also occurs in the reference corpus;
* :func:`compare`: aggregate, plus the overlapping area (Yang & Lerch 2018) of each metric's
  distribution against the shipped human reference (:mod:`gekiban.evaluate.reference`);
* :mod:`gekiban.evaluate.classify`: a nearest-centroid style classifier on simple features.

``gekiban evaluate PATHS... [--reference]`` prints it all.
"""

from gekiban.evaluate.report import (
                                     ORIGINALITY_NOTES,
                                     Evaluation,
                                     TrackReport,
                                     compare,
                                     evaluate_paths,
                                     evaluate_score,
                                     format_text,
                                     lead_codes,
)

__all__ = ["ORIGINALITY_NOTES", "Evaluation", "TrackReport", "compare", "evaluate_paths", "evaluate_score",
           "format_text", "lead_codes"]
