"""PyTorch reference rows of archzoo's recurrent bench workloads (lstm_b32_t50_h128, gru_b32_t50_h128).

One training step = forward over the whole sequence, MSE of the last hidden state against a fixed
target, backward, optimizer update; float32, one CPU thread (torch.set_num_threads(1)), the same
sizes as the TypeScript workloads. Prints one JSON line per workload:
{"workload": ..., "msPerStep": median, "steps": n, "torch": version, "threads": 1, "blas": ...}, where
"blas" names the BLAS library torch actually loaded (read from /proc/self/maps): 'openblas' or
'reference BLAS' (Debian's python3-torch links libblas.so.3, which is netlib's reference BLAS,
about ten times slower, unless `apt-get install libopenblas0-pthread` points it at OpenBLAS).

usage: python3 rnn_bench.py [--workload lstm_b32_t50_h128,gru_b32_t50_h128] [--steps 20] [--warmup 3]
                            [--max-time 10] [--optimizer adam|sgd]
       python3 rnn_bench.py --serve WORKLOAD [--seed 0]
           serves `archzoo bench`: reads one command a line from stdin and answers one line:
           'ready' -> 'ready', 'step' -> the loss of one training step,
           'info' -> {"torch": version, "threads": n, "blas": ...} (one JSON line), 'quit' -> exits.
"""

import argparse
import json
import statistics
import sys
import time

import torch

WORKLOADS = {
    "lstm_b32_t50_h128": ("lstm", 32, 50, 32, 128),
    "gru_b32_t50_h128": ("gru", 32, 50, 32, 128),
}


def blas_name():
    """The BLAS torch runs its products with, from the shared libraries mapped into this process."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1].rsplit("/", 1)[-1] for line in f if ".so" in line}
    except OSError:
        return "unknown BLAS"
    names = " ".join(sorted(libs)).lower()
    if "libmkl" in names:
        return "mkl"
    if "openblas" in names:
        return "openblas"
    if "libblis" in names:
        return "blis"
    if "libblas" in names or "libcblas" in names:
        # Debian's libblas.so.3 alternative: netlib's reference BLAS unless it resolves to OpenBLAS
        # (then libopenblas is what is mapped, caught above).
        return "reference BLAS"
    return "unknown BLAS"


def info():
    return {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_name()}


def trainer(kind, batch, steps_t, input_size, hidden, optimizer, lr, seed):
    torch.manual_seed(seed)
    rnn = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(input_size, hidden)
    x = torch.randn(steps_t, batch, input_size)  # [T, B, I] time-first, like the TypeScript workload
    target = torch.randn(batch, hidden)
    opt = (
        torch.optim.Adam(rnn.parameters(), lr=lr)
        if optimizer == "adam"
        else torch.optim.SGD(rnn.parameters(), lr=lr)
    )

    def step():
        opt.zero_grad()
        _, state = rnn(x)
        h = state[0] if kind == "lstm" else state  # [1, B, H]
        loss = torch.nn.functional.mse_loss(h[0], target)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def measure(step, steps, warmup, max_ms):
    for _ in range(warmup):
        step()
    times = []
    spent = 0.0
    while len(times) < steps and (len(times) < 3 or spent < max_ms):
        t0 = time.perf_counter()
        step()
        dt = (time.perf_counter() - t0) * 1000
        times.append(dt)
        spent += dt
    return statistics.median(times), len(times)


def serve(name, optimizer, lr, seed):
    step = trainer(*WORKLOADS[name], optimizer, lr, seed)
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        if command == "info":
            print(json.dumps(info()), flush=True)
            continue
        answer = "ready" if command == "ready" else repr(step()) if command == "step" else None
        if answer is None:
            raise SystemExit(f"rnn_bench.py --serve: unknown command {command!r}")
        print(answer, flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--serve", metavar="WORKLOAD", choices=list(WORKLOADS))
    p.add_argument("--workload", default=",".join(WORKLOADS))
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--max-time", type=float, default=10.0)
    p.add_argument("--optimizer", default="adam", choices=["adam", "sgd"])
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(1)
    if args.serve:
        serve(args.serve, args.optimizer, args.lr, args.seed)
        return
    for name in [w for w in args.workload.split(",") if w]:
        if name not in WORKLOADS:
            raise SystemExit(f"unknown workload {name!r}; known: {', '.join(WORKLOADS)}")
        step = trainer(*WORKLOADS[name], args.optimizer, args.lr, args.seed)
        ms, n = measure(step, args.steps, args.warmup, args.max_time * 1000)
        print(
            json.dumps(
                {
                    "workload": name,
                    "msPerStep": ms,
                    "steps": n,
                    **info(),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
