"""Detection (and segmentation) scenes composed from real images, with exact
boxes and masks: Fashion-MNIST items (dataset-fashion-mnist) pasted at
several scales, tinted, partly occluding each other, on crops of
scikit-image's sample photographs and textures (python3-skimage).

Writes OUT/scenes/:
  images/scene_NNNNN.jpg   the scenes, SIZE x SIZE RGB
  masks/scene_NNNNN.png    8-bit label maps: 0 background, k for category k
  annotations.json         COCO: images, annotations (bbox [x, y, w, h] of
                           each object's visible pixels, area = their count,
                           iscrowd 0), categories 1..10 (Fashion-MNIST's)

No bounding boxes exist offline (see the dependency notes), so they are made
here: every object's box and mask are the pixels it still shows after the
objects pasted over it. An object that would show less than half of itself
is placed again, so no box marks an object one cannot see.
"""
import json
import os
import random

import numpy as np
from PIL import Image

SKIMAGE_DATA = "/usr/lib/python3/dist-packages/skimage/data"
# Photographs and textures busy enough to be backgrounds.
BACKGROUNDS = ["brick.png", "grass.png", "gravel.png", "coffee.png", "chelsea.png", "astronaut.png",
               "camera.png", "coins.png", "moon.png", "page.png", "text.png", "rocket.jpg",
               "motorcycle_left.png", "hubble_deep_field.jpg", "retina.jpg", "ihc.png", "cell.png"]
SIZE = 128
MIN_SIDE, MAX_SIDE = 14, 64   # object side on the canvas: COCO small to large
MAX_OBJECTS = 6
MIN_VISIBLE = 0.5             # share of an object that must stay visible
ITEM_THRESHOLD = 24           # Fashion-MNIST pixels above this are the item


def backgrounds():
    out = []
    for name in BACKGROUNDS:
        path = os.path.join(SKIMAGE_DATA, name)
        if os.path.exists(path):
            out.append(np.asarray(Image.open(path).convert("RGB")))
    if not out:
        raise SystemExit(f"make_scenes: no sample photographs in {SKIMAGE_DATA}: install python3-skimage")
    return out


def background(rng, photos):
    photo = photos[rng.randrange(len(photos))]
    h, w = photo.shape[:2]
    side = rng.randint(min(h, w) // 4, min(h, w))
    y, x = rng.randint(0, h - side), rng.randint(0, w - side)
    crop = Image.fromarray(photo[y:y + side, x:x + side]).resize((SIZE, SIZE), Image.BILINEAR)
    canvas = np.asarray(crop).astype(np.float32)
    # Dimmed or brightened a little, so no background is always the same.
    return np.clip(canvas * rng.uniform(0.6, 1.2), 0, 255)


def place(rng, item, owner, index):
    """Pastes one item's mask into owner (the visible object per pixel);
    returns its placement, or None when it would hide too much of another
    object or show too little of itself."""
    side = rng.randint(MIN_SIDE, MAX_SIDE)
    scaled = np.asarray(Image.fromarray(item).resize((side, side), Image.BILINEAR))
    mask = scaled > ITEM_THRESHOLD
    if mask.sum() < 16:
        return None
    y, x = rng.randint(0, SIZE - side), rng.randint(0, SIZE - side)
    trial = owner.copy()
    region = trial[y:y + side, x:x + side]
    region[mask] = index
    # Every object placed so far must still show at least MIN_VISIBLE of itself.
    for other in range(1, index):
        before, after = (owner == other).sum(), (trial == other).sum()
        if before and after < MIN_VISIBLE * before:
            return None
    return trial, (x, y, side, scaled, mask)


def scene(rng, photos, items, labels):
    canvas = background(rng, photos)
    owner = np.zeros((SIZE, SIZE), np.int32)  # 0 background, k: the k-th object
    objects = []
    for _ in range(rng.randint(1, MAX_OBJECTS)):
        for _attempt in range(10):
            k = rng.randrange(len(items))
            placed = place(rng, items[k], owner, len(objects) + 1)
            if placed:
                owner, where = placed
                objects.append((labels[k], where))
                break
    for index, (_, (x, y, side, scaled, mask)) in enumerate(objects, start=1):
        tint = np.array([rng.uniform(0.3, 1.0) for _ in range(3)], np.float32)
        shade = scaled.astype(np.float32)[:, :, None] * tint[None, None, :] + rng.uniform(0, 60)
        visible = owner[y:y + side, x:x + side] == index
        region = canvas[y:y + side, x:x + side]
        region[visible] = np.clip(shade[visible], 0, 255)
    label_map = np.zeros((SIZE, SIZE), np.uint8)
    annotations = []
    for index, (label, _) in enumerate(objects, start=1):
        ys, xs = np.nonzero(owner == index)
        label_map[owner == index] = label + 1
        annotations.append({"category_id": label + 1,
                            "bbox": [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1),
                                     int(ys.max() - ys.min() + 1)],
                            "area": int(len(xs)), "iscrowd": 0})
    return canvas.astype(np.uint8), label_map, annotations


def make_scenes(path, items, labels, classes, count, seed=17):
    rng = random.Random(seed)
    photos = backgrounds()
    os.makedirs(os.path.join(path, "images"), exist_ok=True)
    os.makedirs(os.path.join(path, "masks"), exist_ok=True)
    coco = {"images": [], "annotations": [],
            "categories": [{"id": k + 1, "name": name} for k, name in enumerate(classes)]}
    for n in range(count):
        pixels, label_map, annotations = scene(rng, photos, items, labels)
        name = f"scene_{n:05d}"
        Image.fromarray(pixels).save(os.path.join(path, "images", name + ".jpg"), quality=92)
        Image.fromarray(label_map).save(os.path.join(path, "masks", name + ".png"))
        coco["images"].append({"id": n + 1, "file_name": name + ".jpg", "width": SIZE, "height": SIZE})
        for a in annotations:
            a["id"] = len(coco["annotations"]) + 1
            a["image_id"] = n + 1
            coco["annotations"].append(a)
    with open(os.path.join(path, "annotations.json"), "w") as f:
        json.dump(coco, f)
    return len(coco["images"]), len(coco["annotations"])
