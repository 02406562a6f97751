"""What satchel remembers so that the same command on the same inputs answers in
milliseconds, without resolving (and often without importing argparse, packaging, resolvelib
or urllib3):

- `store`: the answer store (marshal entries under the cache, keyed by everything an answer
  depends on; URL credentials masked in every key);
- `noop`: "nothing to do" for an install whose requirements are all met, and the plain
  command lines that may be answered that way;
- `freeze`: what an identical `freeze` printed, for an unchanged environment;
- `replay`: an install done before on an environment holding the same things, done again once
  every index page it read is confirmed unchanged.

Import rule: this package stands on install/ (the transaction a replay goes through), fetch/,
index/ and everything upstream; commands/ import it, nothing below does.
"""
