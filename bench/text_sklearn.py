"""The peer of bench/text_bench.sh: scikit-learn's TF-IDF + logistic
regression, trained on the rows edlc trains on and scored on the rows it
tests on (`edlc data --files train|test` lines are CSV_PATH:RECORD, the
header being record 1).

Usage: text_sklearn.py CSV TRAIN_LIST TEST_LIST
Prints JSON: accuracy, macro f1, fit seconds, vectorizer MB/s.
"""
import csv
import json
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

csv.field_size_limit(sys.maxsize)


def records(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    return rows, header.index("text"), header.index("label")


def chosen(list_path):
    with open(list_path) as f:
        return [int(line.rsplit(":", 1)[1]) - 1 for line in f if line.strip()]  # record -> row index


def main():
    rows, text, label = records(sys.argv[1])
    train, test = chosen(sys.argv[2]), chosen(sys.argv[3])
    x_train = [rows[i][text] for i in train]
    y_train = [rows[i][label] for i in train]
    x_test = [rows[i][text] for i in test]
    y_test = [rows[i][label] for i in test]
    start = time.perf_counter()
    vectorizer = TfidfVectorizer(min_df=2, max_features=20000, sublinear_tf=True)
    features = vectorizer.fit_transform(x_train)
    vectorized = time.perf_counter() - start
    model = LogisticRegression(max_iter=2000, C=10.0).fit(features, y_train)
    fit = time.perf_counter() - start
    predicted = model.predict(vectorizer.transform(x_test))
    megabytes = sum(len(t.encode("utf-8")) for t in x_train) / 1e6
    print(json.dumps({"accuracy": accuracy_score(y_test, predicted),
                      "f1": f1_score(y_test, predicted, average="macro"),
                      "fit_seconds": fit, "vectorizer_mb_per_second": megabytes / vectorized}))


main()
