"""
A check over the C source: every signal handler calls only
async-signal-safe functions and writes only locals, errno and
volatile sig_atomic_t objects (issue 7).

Handlers are found where they are installed: `X.sa_handler = fn`,
`X.sa_sigaction = fn`, `.sa_handler = fn` in an initializer and
`signal(SIG..., fn)` (SIG_DFL and SIG_IGN aside). A name that is not a
function defined in the tree (a variable, a parameter) is a finding of
its own: a new kind of indirection must be looked at, and this check
taught about it. Each handler's body is taken from its definition
(comments and literals blanked out first) and checked:

- every call is to a function on the POSIX async-signal-safe list
  (POSIX.1-2008 with TC1 and TC2, as in Linux's signal-safety(7),
  without fork, which runs atfork handlers) or a few Linux raw system
  calls and lock-free C11 atomics, or to a function defined in the
  tree that passes the same check (followed recursively);
- every object written (=, op=, ++, --) is a local or parameter,
  errno, or declared `volatile sig_atomic_t` (for `a.b` / `a->b`, the
  member b of a's struct type);
- a handler that calls anything that may change errno saves errno
  first and restores it before returning, unless it is listed in
  NO_RETURN (it ends the process).

Usage: sigsafe.py [SRC_DIR] prints the findings and exits 1 if any.
"""

import pathlib
import re
import sys

# signal-safety(7): POSIX.1-2008 (TC1, TC2) async-signal-safe functions.
POSIX_SAFE = set("""
_Exit _exit abort accept access aio_error aio_return aio_suspend alarm
bind cfgetispeed cfgetospeed cfsetispeed cfsetospeed chdir chmod chown
clock_gettime close connect creat dup dup2 execl execle execv execve
faccessat fchdir fchmod fchmodat fchown fchownat fcntl fdatasync fexecve
ffs fstat fstatat fsync ftruncate futimens getegid geteuid getgid
getgroups getpeername getpgrp getpid getppid getsockname getsockopt
getuid htonl htons kill link linkat listen longjmp lseek lstat memccpy
memchr memcmp memcpy memmove memset mkdir mkdirat mkfifo mkfifoat mknod
mknodat ntohl ntohs open openat pause pipe poll posix_trace_event
pselect pthread_kill pthread_self pthread_sigmask raise read readlink
readlinkat recv recvfrom recvmsg rename renameat rmdir select sem_post
send sendmsg sendto setgid setpgid setsid setsockopt setuid shutdown
sigaction sigaddset sigdelset sigemptyset sigfillset sigismember
siglongjmp signal sigpause sigpending sigprocmask sigqueue sigset
sigsuspend sleep sockatmark socket socketpair stat stpcpy stpncpy
strcat strchr strcmp strcpy strcspn strlen strncat strncmp strncpy
strnlen strpbrk strrchr strspn strstr strtok_r symlink symlinkat
tcdrain tcflow tcflush tcgetattr tcgetpgrp tcsendbreak tcsetattr
tcsetpgrp time timer_getoverrun timer_gettime timer_settime times umask
uname unlink unlinkat utime utimensat utimes wait waitpid wcpcpy
wcpncpy wcscat wcschr wcscmp wcscpy wcscspn wcslen wcsncat wcsncmp
wcsncpy wcsnlen wcspbrk wcsrchr wcsspn wcsstr wcstok write
_Fork
""".split())

# Linux raw system calls (no locks, no allocation) and lock-free atomics.
LINUX_SAFE = {"syscall", "pipe2", "dup3", "accept4", "ppoll",
	      "atomic_store", "atomic_store_explicit", "atomic_load",
	      "atomic_load_explicit", "atomic_signal_fence",
	      "atomic_exchange", "atomic_fetch_add", "atomic_fetch_or"}

SAFE = POSIX_SAFE | LINUX_SAFE

# Functions that cannot change errno (string and byte functions).
NO_ERRNO = {n for n in SAFE if n.startswith(("mem", "str", "stp", "wc"))}
NO_ERRNO |= {"ffs", "htonl", "htons", "ntohl", "ntohs", "_exit", "_Exit",
	     "abort", "getpid", "getppid", "getuid", "geteuid", "getgid",
	     "getegid", "pthread_self", "atomic_store",
	     "atomic_store_explicit", "atomic_load", "atomic_load_explicit",
	     "atomic_signal_fence"}

# Handlers that never return: errno does not need restoring.
NO_RETURN = {
	# src/app/sandbox.c: reports the denied call, then makes a system
	# call the filter traps again with SIGSYS blocked: the process dies.
	"sandbox_sigsys",
}

KEYWORDS = {"if", "while", "for", "switch", "return", "sizeof", "do",
	    "else", "case", "_Alignof", "alignof", "_Static_assert",
	    "defined", "__attribute__", "_Generic", "offsetof"}

TYPE_WORDS = ("char", "int", "long", "short", "unsigned", "signed",
	      "float", "double", "void", "bool", "_Bool")


def strip_c(text):
	"""Comments, string and char literals blanked (same length and
	line breaks), preprocessor lines dropped."""
	out = []
	i, n = 0, len(text)
	while i < n:
		c = text[i]
		if text.startswith("/*", i):
			j = text.find("*/", i + 2)
			j = n if j < 0 else j + 2
			out.append(re.sub(r"[^\n]", " ", text[i:j]))
			i = j
		elif text.startswith("//", i):
			j = text.find("\n", i)
			j = n if j < 0 else j
			out.append(" " * (j - i))
			i = j
		elif c in "\"'":
			j = i + 1
			while j < n and text[j] != c:
				j += 2 if text[j] == "\\" else 1
			j = min(j + 1, n)
			out.append(c + " " * (j - i - 2) + c if j - i >= 2
				   else c)
			i = j
		else:
			out.append(c)
			i += 1
	lines = "".join(out).split("\n")
	return "\n".join("" if ln.lstrip().startswith("#") else ln
			 for ln in lines)


def match_brace(text, i):
	"""Index just past the brace block that opens at text[i]."""
	depth = 0
	for j in range(i, len(text)):
		if text[j] == "{":
			depth += 1
		elif text[j] == "}":
			depth -= 1
			if depth == 0:
				return j + 1
	return len(text)


class Source:
	def __init__(self, root):
		self.root = pathlib.Path(root)
		self.files = {}
		for p in sorted(self.root.rglob("*")):
			if p.suffix in (".c", ".h") and p.is_file():
				self.files[p] = strip_c(p.read_text(
					errors="replace"))

	def rel(self, p):
		try:
			return str(p.relative_to(self.root.parent))
		except ValueError:
			return str(p)

	def find_function(self, name, prefer=None):
		"""(path, params, body) of name's definition, or None; one
		in prefer (the installing file) wins over others."""
		pat = re.compile(r"(?m)^[A-Za-z_][\w \t\*]*?\b" +
				 re.escape(name) +
				 r"\s*\(([^;{}()]*(?:\([^()]*\)[^;{}()]*)*)\)"
				 r"\s*\{")
		order = sorted(self.files, key=lambda p: p != prefer)
		for p in order:
			m = pat.search(self.files[p])
			if m is None:
				m = re.search(r"(?m)^" + re.escape(name) +
					      r"\s*\(([^;{}]*)\)\s*\{",
					      self.files[p])
			if m:
				start = m.end() - 1
				end = match_brace(self.files[p], start)
				return p, m.group(1), self.files[p][start:end]
		return None

	def handlers(self):
		"""[(name, path, line)] of every installed handler."""
		found = []
		pats = [re.compile(r"\.?\bsa_(?:handler|sigaction)\s*=\s*"
				   r"\(?\s*([A-Za-z_]\w*)"),
			re.compile(r"\bsignal\s*\(\s*[^,()]+,\s*([A-Za-z_]\w*)"
				   r"\s*\)")]
		for p, text in self.files.items():
			for pat in pats:
				for m in pat.finditer(text):
					name = m.group(1)
					if name in ("SIG_DFL", "SIG_IGN",
						    "NULL"):
						continue
					line = text.count("\n", 0,
							  m.start()) + 1
					found.append((name, p, line))
		return found


def param_names(params):
	names = set()
	for part in params.split(","):
		m = re.search(r"([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*$", part)
		if m and m.group(1) not in TYPE_WORDS:
			names.add(m.group(1))
	return names


def split_top(s, sep):
	parts, depth, cur = [], 0, []
	for c in s:
		if c in "([{":
			depth += 1
		elif c in ")]}":
			depth -= 1
		if c == sep and depth == 0:
			parts.append("".join(cur))
			cur = []
		else:
			cur.append(c)
	parts.append("".join(cur))
	return parts


DECL_START = re.compile(
	r"^\s*(?:(?:static|const|volatile|register|unsigned|signed|struct"
	r"\s+\w+|union\s+\w+|enum\s+\w+|char|int|long|short|float|double|"
	r"bool|_Bool|[A-Za-z_]\w*_t)\s+|\*\s*)+\**\s*([A-Za-z_]\w*)")


def local_names(body):
	"""Names declared in the body (declarations at statement start)."""
	names = set()
	for stmt in re.split(r"[;{}]", body):
		m = DECL_START.match(stmt)
		if not m or "(" in stmt.split("=")[0]:
			continue
		parts = split_top(stmt[m.start(1):], ",")
		for part in parts:
			mm = re.match(r"\s*\**\s*([A-Za-z_]\w*)", part)
			if mm:
				names.add(mm.group(1))
	return names


def sig_atomic_decl(src, name, member=None, home=None):
	"""True when object name (or its member) is declared volatile
	sig_atomic_t; home (the handler's file) is searched first."""
	order = sorted(src.files, key=lambda p: p != home)
	for p in order:
		text = src.files[p]
		for m in re.finditer(r"(?m)^[^\n;(){}]*\b" + re.escape(name) +
				     r"\b\s*(?:\[[^\]]*\]\s*)*(?:=[^;]*)?;",
				     text):
			decl = m.group(0)
			if member is None:
				return ("volatile" in decl and
					"sig_atomic_t" in decl)
			st = re.search(r"\bstruct\s+(\w+)", decl)
			if st is None:
				return False
			return struct_member_ok(src, st.group(1), member)
	return False


def struct_member_ok(src, sname, member):
	for text in src.files.values():
		m = re.search(r"\bstruct\s+" + re.escape(sname) + r"\s*\{",
			      text)
		if m is None:
			continue
		body = text[m.end() - 1:match_brace(text, m.end() - 1)]
		for decl in body.split(";"):
			if re.search(r"\b" + re.escape(member) +
				     r"\b\s*(?:\[[^\]]*\])?\s*$", decl):
				return ("volatile" in decl and
					"sig_atomic_t" in decl)
	return False


ASSIGN = re.compile(
	r"([A-Za-z_]\w*)((?:\s*(?:\.|->)\s*[A-Za-z_]\w*|\s*\[[^\]=]*\])*)"
	r"\s*(?:\+\+|--|(?:[-+*/%&|^]|<<|>>)?=(?!=))")
PREINC = re.compile(
	r"(?:\+\+|--)\s*([A-Za-z_]\w*)((?:\s*(?:\.|->)\s*[A-Za-z_]\w*)*)")


def check_function(src, name, path, params, body, findings, seen, top):
	"""Appends findings for one function (and what it calls)."""
	where = f"{src.rel(path)}: {name}"
	locals_ = local_names(body) | param_names(params)
	calls = []
	for m in re.finditer(r"\b([A-Za-z_]\w*)\s*\(", body):
		callee = m.group(1)
		if callee in KEYWORDS or callee in TYPE_WORDS:
			continue
		# a declaration's type in a cast like (void)( is not a call
		calls.append(callee)
	for callee in calls:
		if callee in SAFE:
			continue
		if callee in seen:
			continue
		seen.add(callee)
		found = src.find_function(callee, prefer=path)
		if found is None:
			findings.append(f"{where}: calls {callee}(), not "
					"async-signal-safe")
			continue
		cpath, cparams, cbody = found
		sub = []
		check_function(src, callee, cpath, cparams, cbody, sub,
			       seen, False)
		for f in sub:
			findings.append(f"{where} -> {f}")
	for pat in (ASSIGN, PREINC):
		for m in pat.finditer(body):
			base = m.group(1)
			chain = re.findall(r"(?:\.|->)\s*([A-Za-z_]\w*)",
					   m.group(2))
			if base in locals_ or base == "errno":
				continue
			if base in KEYWORDS or base in TYPE_WORDS:
				continue
			member = chain[0] if chain else None
			if not sig_atomic_decl(src, base, member, path):
				what = base + ("." + member if member else "")
				findings.append(
					f"{where}: writes {what}, not a "
					"volatile sig_atomic_t")
	if top and name not in NO_RETURN:
		may_set = [c for c in calls if c not in NO_ERRNO]
		if may_set:
			saves = re.search(r"\b([A-Za-z_]\w*)\s*=\s*errno\b",
					  body)
			if not saves or not re.search(
				r"\berrno\s*=\s*" + re.escape(saves.group(1)) +
				r"\b", body):
				findings.append(
					f"{where}: calls {may_set[0]}() without "
					"saving and restoring errno")


def check_tree(root):
	"""(handlers [(name, file:line)], findings [str]) for the tree."""
	src = Source(root)
	findings, handlers, done = [], [], set()
	for name, path, line in src.handlers():
		handlers.append((name, f"{src.rel(path)}:{line}"))
		if name in done:
			continue
		done.add(name)
		found = src.find_function(name, prefer=path)
		if found is None:
			findings.append(
				f"{src.rel(path)}:{line}: handler {name} is not a "
				"function defined in the tree (teach sigsafe.py)")
			continue
		fpath, params, body = found
		check_function(src, name, fpath, params, body, findings,
			       {name}, True)
	return handlers, findings


def main(argv):
	root = argv[1] if len(argv) > 1 else str(
		pathlib.Path(__file__).resolve().parents[2] / "src")
	handlers, findings = check_tree(root)
	for name, where in handlers:
		print(f"handler {name} installed at {where}")
	for f in findings:
		print(f"FINDING {f}")
	return 1 if findings else 0


if __name__ == "__main__":
	sys.exit(main(sys.argv))
