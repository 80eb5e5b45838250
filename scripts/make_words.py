"""Spoken words for sound classification, generated with espeak-ng.

Ten command words (yes no up down left right on off stop go) spoken by
many speakers: each speaker is one of espeak-ng's English accents with one
of its voice variants (male, female, whispered, croaky, ...), and says every
word at two speeds and two pitches of its own. Each clip is resampled to
16 kHz, placed at a random offset in one second, and mixed with noise at a
random signal-to-noise ratio (white, brown or a hum with harmonics), so no
two clips are alike and the task is not a lookup of synthesised waveforms.

Files are written as OUT/<word>/<speaker>__<take>.wav (16-bit PCM, mono):
the speaker is the part of the name before "__", so a split that holds
speakers out of training can group by it. Everything is seeded: the same
command writes the same files.
"""
import io
import os
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
import wave

import numpy as np

WORDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-029",
           "en-us-nyc"]
VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "croak", "klatt", "klatt2",
            "whisper"]
RATE = 16000


def speak(voice, speed, pitch, word):
    """espeak-ng's clip as float samples at its own rate (22,050 Hz)."""
    out = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", word],
                         check=True, capture_output=True).stdout
    with wave.open(io.BytesIO(out)) as w:
        rate = w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
    return samples, rate


def resample(samples, rate):
    """Linear interpolation to 16 kHz (after a 3-tap low-pass: espeak's band ends near 8 kHz anyway)."""
    smooth = np.convolve(samples, [0.25, 0.5, 0.25], mode="same")
    times = np.arange(int(len(samples) * RATE / rate)) * rate / RATE
    return np.interp(times, np.arange(len(samples)), smooth).astype(np.float32)


def noise(kind, n, rng):
    if kind == "white":
        return rng.standard_normal(n)
    if kind == "brown":
        walk = np.cumsum(rng.standard_normal(n))
        return walk - np.convolve(walk, np.ones(801) / 801, mode="same")  # drift removed
    t = np.arange(n) / RATE
    base = rng.choice([50.0, 60.0]) * rng.uniform(0.98, 1.02)
    return sum(np.sin(2 * np.pi * base * k * t + rng.uniform(0, 6.3)) / k for k in range(1, 6))


def clip(word_samples, rng):
    """One second: the word at a random offset, noise at 5 to 30 dB SNR."""
    out = np.zeros(RATE, dtype=np.float32)
    spoken = word_samples[:RATE]
    start = int(rng.integers(0, RATE - len(spoken) + 1))
    out[start:start + len(spoken)] = spoken
    background = noise(rng.choice(["white", "brown", "hum"]), RATE, rng)
    signal_power = float(np.mean(spoken ** 2)) + 1e-9
    snr_db = rng.uniform(5, 30)
    background *= np.sqrt(signal_power / (np.mean(background ** 2) + 1e-12) / 10 ** (snr_db / 10))
    mixed = out + background.astype(np.float32)
    return mixed / max(1.0, float(np.max(np.abs(mixed))) / 0.95)


def write_wav(path, samples):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())


def make_words(path, speakers_per_accent=12, seed=17):
    """Writes the clips; returns how many."""
    pick = random.Random(seed)
    rng = np.random.default_rng(seed)
    for word in WORDS:
        os.makedirs(os.path.join(path, word), exist_ok=True)
    takes = []  # (speaker, speed, pitch, word, file), in the order the clips' noise is drawn
    for accent in ACCENTS:
        for variant in pick.sample(VARIANTS, speakers_per_accent):
            speaker = f"{accent}+{variant}"
            speeds = pick.sample(range(120, 221, 10), 2)
            pitches = pick.sample(range(20, 81, 5), 2)
            for word in WORDS:
                take = 0
                for speed in speeds:
                    for pitch in pitches:
                        takes.append((speaker, speed, pitch, word, os.path.join(path, word, f"{speaker}__{take}.wav")))
                        take += 1
    # espeak-ng runs as one process per clip on every core; the clips are
    # mixed in order, so the noise (one generator) is the same as one by one.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        spoken = pool.map(lambda t: speak(t[0], t[1], t[2], t[3]), takes)
        for (_, _, _, _, file), (samples, rate) in zip(takes, spoken):
            write_wav(file, clip(resample(samples, rate), rng))
    return len(takes)
