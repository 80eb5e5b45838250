"""Reference log-mel spectrograms for LogMelTest, from torchaudio.

Usage: torchaudio_reference.py CLIPS OUT SAMPLE_RATE SAMPLES N_FFT HOP N_MELS
CLIPS holds float32 clips of SAMPLES each (raw, native order); OUT gets
log(MelSpectrogram(x) + 1e-6) as float32, clip x mel x frame, followed by
torchaudio's filterbank (bins x mels).
"""
import sys

import numpy as np
import torch
import torchaudio

clips_path, out_path = sys.argv[1], sys.argv[2]
rate, samples, n_fft, hop, n_mels = (int(v) for v in sys.argv[3:8])
clips = torch.from_numpy(np.fromfile(clips_path, dtype=np.float32).reshape(-1, samples))
mel = torchaudio.transforms.MelSpectrogram(sample_rate=rate, n_fft=n_fft, hop_length=hop, n_mels=n_mels)
features = torch.log(mel(clips) + 1e-6)
fbanks = torchaudio.functional.melscale_fbanks(n_fft // 2 + 1, 0.0, rate / 2.0, n_mels, rate)
with open(out_path, "wb") as out:
    out.write(features.numpy().astype(np.float32).tobytes())
    out.write(fbanks.numpy().astype(np.float32).tobytes())
