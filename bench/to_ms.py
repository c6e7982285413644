# wrk latency ("812.00us", "1.20ms", "2.01s") to milliseconds
import sys
for line in sys.stdin:
    v = line.strip()
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60000.0)):
        if v.endswith(unit):
            print(round(float(v[: -len(unit)]) * f, 3))
            break
