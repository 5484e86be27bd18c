"""The TF-IDF + logistic regression baseline (scikit-learn), one binary classifier per label."""
from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


def baseline_probabilities(train_texts: list[str], train_gold: np.ndarray, texts: list[str]) -> np.ndarray:
    """Probabilities (n_texts, n_labels); a label with no training positives gets zeros."""
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=100_000)
    x_train, x = vectorizer.fit_transform(train_texts), vectorizer.transform(texts)
    probs = np.zeros((len(texts), train_gold.shape[1]))
    for j in range(train_gold.shape[1]):
        if train_gold[:, j].any():
            clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
            probs[:, j] = clf.fit(x_train, train_gold[:, j]).predict_proba(x)[:, 1]
    return probs
