// A reader of stdout that goes away (`riskstream users list | head -1`, `riskstream --help | head -1`)
// is no failure: the command ends quietly. Apart from cli-failure.ts, which loads NATS and core for the
// errors of a start, because this is in place before any command is loaded (bin/riskstream.ts).

type Output = Pick<NodeJS.WriteStream, 'on' | 'listenerCount'>;

/**
 * When the reader of stdout goes away (EPIPE), what is left to print has nowhere to go: the process
 * ends with 0, as `cat` into `head` ends without a message. A command that writes its output to
 * stdout (import, simulate --out -) listens for the error itself and finishes with true counts;
 * then this leaves it to that command. On stderr there is nowhere left to say anything: ignored.
 */
export function quietOnClosedPipe(stdout: Output = process.stdout, stderr: Output = process.stderr, exit: (code: number) => void = (code) => process.exit(code)): void {
  stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    if (stdout.listenerCount('error') > 1) return;
    exit(0);
  });
  stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}
