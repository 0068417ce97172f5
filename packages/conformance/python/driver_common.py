"""Pieces the conformance drivers share, on the standard library only (any python3 the suite finds can import it).

Two kinds of driver use it:
  request drivers   one JSON request on stdin ({"op": ..., ...}), one JSON result line on stdout: run_operations
  group members     one JSON argument, JSON-line events on stdout, "stop" on stdin: member_request, emit, stop_event
Bytes (keys, values, header values) travel as base64 with null kept null: b64, unb64, record_json.

A driver imports it after putting this directory first on sys.path (drivers outside it, relative to their own file).
"""
import base64
import json
import sys
import threading
import time


def b64(data):
    return None if data is None else base64.b64encode(data).decode('ascii')


def unb64(text):
    return None if text is None else base64.b64decode(text)


def headers_in(headers):
    """Request headers [[name, base64 value], ...] as the (name, bytes) pairs the clients take."""
    return [(name, unb64(value)) for name, value in headers]


def record_json(partition, offset, timestamp, timestamp_type, key, value, headers):
    """A consumed record as the Node side compares it; headers None (no headers at all) stays None."""
    return {
        'partition': partition,
        'offset': offset,
        'timestamp': timestamp,
        'timestampType': timestamp_type,
        'key': b64(key),
        'value': b64(value),
        'headers': None if headers is None else [[name, b64(value)] for name, value in headers],
    }


def operations_of(namespace):
    """The op_<name> functions of a driver module (pass globals()), by name."""
    return {name[3:]: fn for name, fn in namespace.items() if name.startswith('op_')}


def run_operations(operations):
    """Reads the request from stdin, runs its op and writes the result as one JSON line."""
    request = json.load(sys.stdin)
    handler = operations.get(request['op'])
    if handler is None:
        raise SystemExit('unknown op ' + request['op'])
    sys.stdout.write(json.dumps(handler(request)) + '\n')
    sys.stdout.flush()


def now_ms():
    return int(time.time() * 1000)


def emit(event):
    """One member event as a JSON line, stamped with the wall-clock time in ms ("t") unless it has one."""
    event.setdefault('t', now_ms())
    sys.stdout.write(json.dumps(event) + '\n')
    sys.stdout.flush()


def member_request():
    """A group member's request: its one JSON command-line argument."""
    return json.loads(sys.argv[1])


def stop_event():
    """An event set when a line "stop" arrives on stdin (or stdin closes), watched from a daemon thread."""
    stop = threading.Event()

    def read_stdin():
        for line in sys.stdin:
            if line.strip() == 'stop':
                break
        stop.set()

    threading.Thread(target=read_stdin, daemon=True).start()
    return stop
