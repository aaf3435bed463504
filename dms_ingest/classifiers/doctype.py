"""Document-type classifier: TF-IDF word and character n-grams, calibrated linear SVM, optional keyword rules."""

from __future__ import annotations

import functools
import gzip
import json
import logging
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import joblib
import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

log = logging.getLogger(__name__)

DEFAULT_TAXONOMY = (
    "antrag", "pass", "meldebescheinigung", "arbeitsvertrag", "gehaltsnachweis", "mietvertrag",
    "krankenversicherung", "anwaltsschreiben", "bescheid", "urkunde", "sprachzertifikat", "sonstiges",
)
MODEL_DIR = Path(__file__).with_name("model")
MODEL_FILE = MODEL_DIR / "doctype.joblib"
CORPUS_FILE = MODEL_DIR / "training.jsonl.gz"
_FORMAT = 1


def normalise_text(text: str) -> str:
    """Prepare OCR text for the features: lower case, umlauts spelled out, digits collapsed, words re-joined."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)  # words hyphenated across lines
    text = text.casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(a, b)
    # Numbers carry no type information, only noise; keep their shape.
    text = re.sub(r"\d", "0", text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class OverrideRule:
    """Keyword rule checked before the model: all of ``all`` and, if given, one of ``any``."""

    type: str
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict) -> "OverrideRule":
        """Build from a config entry like {type: pass, all: [...], any: [...]}."""
        return cls(type=data["type"], all=tuple(data.get("all", ())), any=tuple(data.get("any", ())))

    def matches(self, normalised: str) -> bool:
        """True if the (normalised) text satisfies the rule."""
        if not self.all and not self.any:
            return False
        if any(normalise_text(k) not in normalised for k in self.all):
            return False
        return not self.any or any(normalise_text(k) in normalised for k in self.any)


def _build_pipeline(seed: int) -> Pipeline:
    features = FeatureUnion([
        ("words", TfidfVectorizer(
            ngram_range=(1, 2), min_df=2, max_features=15000, sublinear_tf=True,
            token_pattern=r"(?u)\b[^\W\d_]{2,}\b", dtype=np.float32,
        )),
        # Character n-grams within word boundaries survive OCR damage inside words.
        ("chars", TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), min_df=3, max_features=30000, sublinear_tf=True, dtype=np.float32,
        )),
    ])
    model = CalibratedClassifierCV(
        LinearSVC(C=0.5, class_weight="balanced", random_state=seed), method="sigmoid", cv=3, ensemble=False,
    )
    return Pipeline([("features", features), ("model", model)])


@dataclass
class DocTypeClassifier:
    """Predicts one label of the taxonomy for an OCR text, with a calibrated probability."""

    pipeline: Pipeline
    taxonomy: tuple[str, ...] = DEFAULT_TAXONOMY
    rules: list[OverrideRule] = field(default_factory=list)
    sklearn_version: str = sklearn.__version__

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        taxonomy: Iterable[str] = DEFAULT_TAXONOMY,
        rules: Iterable[OverrideRule | dict] = (),
        seed: int = 0,
    ) -> "DocTypeClassifier":
        """Fit a new classifier on labelled texts."""
        taxonomy = tuple(taxonomy)
        unknown = sorted(set(labels) - set(taxonomy))
        if unknown:
            raise ValueError(f"labels not in taxonomy: {unknown}")
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        pipeline = _build_pipeline(seed)
        pipeline.fit([normalise_text(t) for t in texts], list(labels))
        # The terms cut by max_features are only kept for introspection and bloat the file.
        for _, vectorizer in pipeline.named_steps["features"].transformer_list:
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_
        return cls(pipeline, taxonomy, [_as_rule(r) for r in rules])

    def with_rules(self, rules: Iterable[OverrideRule | dict]) -> "DocTypeClassifier":
        """The same model with other override rules."""
        return DocTypeClassifier(self.pipeline, self.taxonomy, [_as_rule(r) for r in rules], self.sklearn_version)

    def predict(self, text: str) -> tuple[str, float, list[tuple[str, float]]]:
        """Return (label, probability, top three (label, probability) pairs)."""
        normalised = normalise_text(text)
        for rule in self.rules:
            if rule.matches(normalised):
                return rule.type, 1.0, [(rule.type, 1.0)]
        if not normalised:
            return "sonstiges" if "sonstiges" in self.taxonomy else self.taxonomy[-1], 0.0, []
        probabilities = self.pipeline.predict_proba([normalised])[0]
        classes = self.pipeline.classes_
        ranked = sorted(zip(classes, probabilities), key=lambda p: p[1], reverse=True)
        top3 = [(str(c), float(p)) for c, p in ranked[:3]]
        return top3[0][0], top3[0][1], top3

    def save(self, path: str | Path) -> None:
        """Write the model (compressed joblib)."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "format": _FORMAT,
            "sklearn_version": self.sklearn_version,
            "taxonomy": list(self.taxonomy),
            "rules": [{"type": r.type, "all": list(r.all), "any": list(r.any)} for r in self.rules],
            "pipeline": self.pipeline,
        }
        joblib.dump(payload, path, compress=("xz", 6))

    @classmethod
    def load(cls, path: str | Path, *, strict_version: bool = True) -> "DocTypeClassifier":
        """Read a saved model; with strict_version a model from another scikit-learn release is refused."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # version warnings are handled below
            payload = joblib.load(path)
        if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
            raise ValueError(f"{path} is not a doctype model of format {_FORMAT}")
        if strict_version and payload["sklearn_version"] != sklearn.__version__:
            raise ValueError(
                f"model was trained with scikit-learn {payload['sklearn_version']}, running {sklearn.__version__}"
            )
        return cls(
            payload["pipeline"], tuple(payload["taxonomy"]),
            [OverrideRule.from_dict(r) for r in payload["rules"]], payload["sklearn_version"],
        )


def _as_rule(rule: OverrideRule | dict) -> OverrideRule:
    return rule if isinstance(rule, OverrideRule) else OverrideRule.from_dict(rule)


def read_corpus(path: str | Path) -> tuple[list[str], list[str]]:
    """Read a training corpus (gzip JSON lines with 'text' and 'label')."""
    texts, labels = [], []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            texts.append(row["text"])
            labels.append(row["label"])
    return texts, labels


class ModelUnavailable(RuntimeError):
    """The shipped model cannot be used here; the message says what to do."""


@functools.lru_cache(maxsize=1)
def load_default_classifier() -> DocTypeClassifier:
    """The shipped model. It is never retrained at run time: a model that does not load is an installation error."""
    try:
        return DocTypeClassifier.load(MODEL_FILE)
    except Exception as exc:  # any unpickling problem
        raise ModelUnavailable(
            f"the shipped document-type model {MODEL_FILE} cannot be loaded ({exc}); install the scikit-learn "
            "release pinned in pyproject.toml, or build a model for this installation with `dms train`"
        ) from exc
