"""What every Python program of `npm run bench` shares: its key=value arguments, the clocks and
memory figures it reports, and the one JSON line it prints last (bench/run.ts reads that line)."""
import json
import re
import time


def parse_args(argv):
    """`workload key=value ...` as (workload, {key: value})."""
    if not argv:
        raise SystemExit('usage: <workload> key=value ...')
    args = {}
    for kv in argv[1:]:
        key, sep, value = kv.partition('=')
        if not sep:
            raise SystemExit(f'Expected key=value but received {kv}')
        args[key] = value
    return argv[0], args


def _status_mb(field):
    with open('/proc/self/status') as f:
        m = re.search(field + r':\s+(\d+)\s+kB', f.read())
    return int(m.group(1)) / 1024 if m else float('nan')


def rss_mb():
    """Resident memory now (VmRSS), MB."""
    return _status_mb('VmRSS')


def peak_rss_mb():
    """Peak resident memory of the process so far (VmHWM), MB."""
    return _status_mb('VmHWM')


def wall_ms():
    """Wall-clock time in ms since the Unix epoch: bench/run.ts subtracts the moment it started the process."""
    return time.time() * 1000


BLOCK = 50


def best_block_ms(stamps):
    """The mean time of a step in the fastest run of BLOCK consecutive steps, ms, from times
    (seconds) taken after each step: what a step costs when nothing else disturbs it (0 when too few)."""
    blocks = [(stamps[i + BLOCK] - stamps[i]) * 1000 / BLOCK for i in range(len(stamps) - BLOCK)]
    return min(blocks) if blocks else 0


def emit(result, threads):
    print(json.dumps({**result, 'peakRssMB': peak_rss_mb(), 'threads': threads}), flush=True)
