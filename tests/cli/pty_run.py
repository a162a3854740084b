"""Runs a command on a pseudo-terminal, as a person at a terminal would: answers each prompt in
turn, then prints {"output": what the terminal showed, "status": the exit code} as JSON.

    python pty_run.py '<json: [[prompt, answer], ...]>' command args...
"""
import json
import os
import pty
import sys
import time

answers = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])

output = b''


def read_until(token, seconds=20):
    global output
    end = time.time() + seconds
    while token not in output and time.time() < end:
        try:
            output += os.read(fd, 1024)
        except OSError:
            return


for prompt, answer in answers:
    read_until(prompt.encode('utf8'))
    os.write(fd, answer.encode('utf8') + b'\r')
read_until(b'\0', 20)  # the rest, until the command ends and closes the terminal
_, status = os.waitpid(pid, 0)
print(json.dumps({'output': output.decode('utf8', 'replace'), 'status': os.WEXITSTATUS(status)}))
