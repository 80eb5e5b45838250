"""Published pretrained networks, as TensorFlow.js layers models.

The npm package nsfwjs (fetched once with `npm pack`, never at run time)
ships Keras networks trained from ImageNet initialisation to sort photos
into five classes (drawing, hentai, neutral, porn, sexy), inside UMD
bundles rather than the model.json and .bin shards TF.js saves;
tfjs_unbundle.cjs (Node) writes them in that layout, which
`edlc import-weights tfjs DIR` reads. Written: PATH/mobilenet_v2/
(224x224 inputs in [0, 1], 2,619,461 weights stored as uint8).
"""
import os
import subprocess
import tarfile
import tempfile

from npm_pack import npm_pack

PACKAGE = "nsfwjs@4.4.0"
MODELS = ["mobilenet_v2"]
CLASSES = ["drawing", "hentai", "neutral", "porn", "sexy"]


def make_pretrained(path, cache):
    """Writes PATH/<model>/ for each of MODELS; returns how many."""
    tarball = npm_pack(PACKAGE, cache)
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(tarball) as tar:
            members = [m for m in tar.getmembers()
                       if any(m.name.startswith(f"package/dist/models/{name}/") for name in MODELS)]
            tar.extractall(tmp, members=members)
        for name in MODELS:
            subprocess.run(["node", os.path.join(here, "tfjs_unbundle.cjs"),
                            os.path.join(tmp, "package", "dist", "models", name), os.path.join(path, name),
                            f"{PACKAGE} {name}"], check=True, timeout=600)
        with open(os.path.join(path, "classes.txt"), "w") as f:
            f.write(",".join(CLASSES) + "\n")
    return len(MODELS)
