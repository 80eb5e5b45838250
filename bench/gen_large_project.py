#!/usr/bin/env python3
"""Writes a large, valid .edl project for timing `edlc check`.

Usage: gen_large_project.py LINES OUT.edl

The project repeats realistic blocks (datasets, spaces, augments, ops,
models, searched trains, deploys) with distinct names until it reaches
LINES lines, so the checker does real name resolution, type and range
checks, searched-value propagation and planning on every block.
"""
import sys


def unit(i):
    return f"""/// Unit {i}: a searched image classifier.
dataset data_{i} {{
  source = image_folder("data")
  split  = {{ train = 70%, val = 20%, test = 10% }}
  image  = {{ size = 32x32, channels = 3, normalize = true }}
}}

op tint_{i}(k: float) = clamp(x * (1 - k * ((u - 0.5)^2 + (v - 0.5)^2)), 0, 1)

space hp_{i} {{
  lr    = loguniform(1e-4, 1e-1)
  batch = choice(32, 64, 128)
  m     = int(1, 10)
}}

augment aug_{i} {{
  rotate(degrees = uniform(-15, 15))
  one_of {{
    flip_horizontal()
    translate_x(fraction = uniform(-0.1, 0.1))
  }}
  maybe(p = 0.5) {{
    tint_{i}(k = 0.5)
  }}
  randaugment(n = 2, m = hp_{i}.m, ops = [shear_x, brightness, contrast, cutout])
}}

model net_{i} {{
  backbone = cnn(channels = [32, 64], kernel = 3)
  head     = classifier(hidden = [128], dropout = 0.2)
}}

train job_{i} {{
  data      = data_{i}
  augment   = aug_{i}
  model     = net_{i}
  optimizer = sgd(lr = hp_{i}.lr, momentum = 0.9, weight_decay = 5e-4)
  schedule  = custom(lr * 0.5 * (1 + cos(3.14159 * progress)))
  epochs    = 8
  batch     = hp_{i}.batch
  search    = tpe(trials = 12, parallel = 2, objective = maximize(val.accuracy), prune = asha())
}}

deploy ship_{i} {{
  from    = job_{i}
  targets = [server(port = 8080), torchscript()]
  package = "dist/unit_{i}.tar.gz"
}}

"""


def main():
    lines, out = int(sys.argv[1]), sys.argv[2]
    text = 'project "large" {\n  seed = 1\n}\n\n'
    i = 0
    while text.count("\n") < lines:
        text += unit(i)
        i += 1
    with open(out, "w") as f:
        f.write(text)
    print(f"wrote {out}: {text.count(chr(10))} lines, {i} units")


main()
