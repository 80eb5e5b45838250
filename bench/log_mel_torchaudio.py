"""torchaudio's side of edl_log_mel_bench: the best of 5 timed passes of
log(MelSpectrogram(x) + 1e-6) over every clip as one batch, with THREADS
threads; prints the seconds and writes the features for the comparison.
Usage: log_mel_torchaudio.py DIR THREADS  (DIR/clips.f32: float32 clips of 16,000)"""
import sys
import time

import numpy as np
import torch
import torchaudio

folder, threads = sys.argv[1], int(sys.argv[2])
torch.set_num_threads(threads)
clips = torch.from_numpy(np.fromfile(f"{folder}/clips.f32", dtype=np.float32).reshape(-1, 16000))
mel = torchaudio.transforms.MelSpectrogram(sample_rate=16000, n_fft=400, hop_length=160, n_mels=40)
best = float("inf")
with torch.no_grad():
    for _ in range(5):
        start = time.perf_counter()
        features = torch.log(mel(clips) + 1e-6)
        best = min(best, time.perf_counter() - start)
features.numpy().astype(np.float32).tofile(f"{folder}/features.f32")
print(best)
