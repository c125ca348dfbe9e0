#!/usr/bin/env python3
"""Run a throw-away local Tryton server with seeded data for integration tests.

Steps: ensure a venv with pinned trytond packages, initialise a SQLite
database in --dir, create a REST user-application key, start trytond on
127.0.0.1, seed parties and sale opportunities through Tryton's REST API,
print ONE JSON line on stdout, then run until SIGTERM/SIGINT or stdin EOF.

Standard library only; Tryton itself runs from the venv.
All diagnostics go to stderr; the trytond log goes to DIR/trytond.log.
See README.md beside this file for the REST contract.
"""

import argparse
import base64
import contextlib
import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import date, timedelta

PINS = {
    'trytond': '8.2.1',
    'trytond-party': '8.2.0',
    'trytond-sale-opportunity': '8.2.0',
}
MODULES = ['party', 'sale_opportunity']
ADMIN_LOGIN = 'admin'
ADMIN_PASSWORD = 'admin'  # local throw-away server only
DEFAULT_VENV = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'target',
    'tryton-venv')
OUR_FILES = ('trytond.conf', 'trytond.log')

# Runs inside the venv: create a validated REST key for the admin user via
# Tryton's ORM (the HTTP key-request route only yields a 'requested' key that
# an existing user must validate). Prints the key.
MAKE_KEY = r'''
import sys
import trytond.config as config
config.update_etc(sys.argv[1])
from trytond.pool import Pool
from trytond.transaction import Transaction
db, login = sys.argv[2], sys.argv[3]
pool = Pool(db)
with Transaction().start(db, 0, readonly=True):
    pool.init()
with Transaction().start(db, 0):
    User = pool.get('res.user')
    Application = pool.get('res.user.application')
    user, = User.search([('login', '=', login)])
    app, = Application.create([{'user': user.id, 'application': 'rest'}])
    assert app.state == 'validated'
    print(app.key)
'''


def log(*args):
    print('[tryton-serve]', *args, file=sys.stderr, flush=True)


@contextlib.contextmanager
def file_lock(path):
    """Serialise venv/template creation between concurrent runs."""
    with open(path, 'w') as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def venv_bin(venv, name):
    return os.path.join(venv, 'bin', name)


def venv_ready(venv):
    py = venv_bin(venv, 'python')
    if not os.path.exists(py):
        return False
    check = ('import importlib.metadata as m, json, sys; '
             'pins = json.loads(sys.argv[1]); '
             'sys.exit(any(m.version(n) != v for n, v in pins.items()))')
    return subprocess.run(
        [py, '-c', check, json.dumps(PINS)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def ensure_venv(venv):
    os.makedirs(os.path.dirname(venv) or '.', exist_ok=True)
    with file_lock(venv.rstrip('/') + '.lock'):
        if venv_ready(venv):
            log('venv ok (fast path):', venv)
            return
        log('creating venv and installing', PINS, 'into', venv)
        if not os.path.exists(venv_bin(venv, 'python')):
            subprocess.run([sys.executable, '-m', 'venv', venv], check=True,
                           stdout=sys.stderr)
        subprocess.run(
            [venv_bin(venv, 'python'), '-m', 'pip', 'install',
             '--disable-pip-version-check', '--no-input']
            + [f'{n}=={v}' for n, v in PINS.items()],
            check=True, stdout=sys.stderr)
        if not venv_ready(venv):
            sys.exit('tryton venv still incomplete after pip install')


def write_config(path, db_dir, port=None):
    lines = ['[database]', 'uri = sqlite://', f'path = {db_dir}',
             'language = en']
    if port is not None:
        lines += ['[web]', f'listen = 127.0.0.1:{port}']
    with open(path, 'w') as fh:
        fh.write('\n'.join(lines) + '\n')


def build_template(venv, db):
    """Return path of an initialised (trytond-admin'ed) SQLite template.

    trytond-admin takes ~20-30 s, so the result is cached inside the venv,
    keyed by pins/modules/password; each run copies it into --dir.
    """
    digest = hashlib.sha256(json.dumps(
        [PINS, MODULES, ADMIN_LOGIN, ADMIN_PASSWORD]).encode()).hexdigest()
    cache_dir = os.path.join(venv, 'steward-db-templates')
    template = os.path.join(cache_dir, f'{digest[:16]}.sqlite')
    os.makedirs(cache_dir, exist_ok=True)
    with file_lock(os.path.join(cache_dir, '.lock')):
        if os.path.exists(template):
            log('database template cached:', template)
            return template
        log('initialising database (trytond-admin, ~20-30 s) ...')
        with tempfile.TemporaryDirectory(dir=cache_dir) as stage:
            conf = os.path.join(stage, 'trytond.conf')
            write_config(conf, stage)
            passfile = os.path.join(stage, 'admin.pass')
            with open(passfile, 'w') as fh:
                fh.write(ADMIN_PASSWORD + '\n')
            # SQLite backend requires the (empty) file to exist beforehand.
            open(os.path.join(stage, f'{db}.sqlite'), 'w').close()
            env = dict(os.environ, TRYTONPASSFILE=passfile)
            subprocess.run(
                [venv_bin(venv, 'trytond-admin'), '-c', conf, '-d', db,
                 '-u', *MODULES, '--activate-dependencies',
                 '--email', 'admin@example.com'],
                check=True, env=env, stdin=subprocess.DEVNULL,
                stdout=sys.stderr)
            os.replace(os.path.join(stage, f'{db}.sqlite'), template)
    return template


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def die_with_parent():
    """preexec_fn: SIGTERM the child if this script dies (Linux only)."""
    try:
        import ctypes
        ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGTERM)
    except Exception:
        pass


class Rest:
    """Tiny client for Tryton's REST API (/<db>/rest/model/...)."""

    def __init__(self, base_url, key, context=None):
        self.base_url, self.key, self.context = base_url, key, context

    def request(self, method, path, data=None):
        headers = {'Authorization': f'Bearer {self.key}'}
        body = None
        if data is not None:
            body = json.dumps(data).encode()
            headers['Content-Type'] = 'application/json'
        if self.context:
            headers['X-Tryton-Context'] = base64.urlsafe_b64encode(
                json.dumps(self.context).encode()).decode()
        req = urllib.request.Request(
            self.base_url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors='replace')[:500]
            raise RuntimeError(f'{method} {path} -> {e.code}: {detail}')
        return json.loads(raw) if raw else None

    def create(self, model, values):
        return self.request('POST', f'/model/{model}', values)['id']

    def write(self, model, id_, values):
        return self.request('PUT', f'/model/{model}/{id_}', values)

    def button(self, model, id_, name):
        return self.request('POST', f'/model/{model}/{id_}/{name}', {})


def wait_ready(rest, child, log_path, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f'trytond exited with {child.returncode}; '
                               f'log tail:\n{tail(log_path)}')
        try:
            rest.request('GET', '/model/res.user?s=1')
            return
        except (OSError, RuntimeError):
            time.sleep(0.2)
    raise RuntimeError(f'trytond not ready after {timeout}s; log tail:\n'
                       f'{tail(log_path)}')


def tail(path, n=30):
    try:
        with open(path, errors='replace') as fh:
            return ''.join(fh.readlines()[-n:])
    except OSError:
        return ''


# --- deterministic demo data -------------------------------------------

FIRST = ['Alice', 'Bruno', 'Chloé', 'Dmitri', 'Elena', 'Farid', 'Greta',
         'Hiroshi', 'Ines', 'Jonas', 'Kavya', 'Lars', 'Maya', 'Nikolai',
         'Olivia', 'Pedro', 'Quinn', 'Rosa', 'Samir', 'Tereza', 'Ugo',
         'Vera', 'Wen', 'Yusuf', 'Zoë']
LAST = ['Andersen', 'Baptiste', 'Castillo', 'Dubois', 'Eriksen', 'Fischer',
        'García', 'Haddad', 'Ivanova', 'Jansen', 'Kowalski', 'Laurent',
        'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Rossi', 'Schneider',
        'Tanaka', 'Van Dijk', 'Weber', 'Yilmaz', 'Zimmermann']
CO_A = ['Northwind', 'Bluefin', 'Cedar', 'Ironbridge', 'Lumen', 'Meridian',
        'Oakridge', 'Pioneer', 'Quarry', 'Redwood', 'Silverline', 'Tidewater',
        'Summit', 'Harbor', 'Granite', 'Aurora', 'Falcon', 'Willow']
CO_B = ['Logistics', 'Analytics', 'Foods', 'Robotics', 'Textiles', 'Energy',
        'Software', 'Consulting', 'Pharma', 'Outdoor', 'Media', 'Builders']
CO_C = ['Ltd', 'GmbH', 'SA', 'BV', 'Inc.', 'SARL', 'AB', 'Oy']
CITIES = [('Lyon', '69002'), ('Ghent', '9000'), ('Leipzig', '04109'),
          ('Porto', '4050-001'), ('Tampere', '33100'), ('Utrecht', '3511'),
          ('Bologna', '40121'), ('Kraków', '31-001'), ('Aarhus', '8000')]
STREETS = ['Market Street', 'Rue des Lilas', 'Hauptstraße', 'Via Roma',
           'Kanaalweg', 'Rua das Flores', 'Mill Lane', 'Station Road']
TOPICS = ['ERP rollout', 'Annual support contract', 'Warehouse scanners',
          'Fleet telematics', 'Cloud migration', 'Packaging redesign',
          'Training programme', 'Spare parts framework', 'Solar retrofit',
          'Data platform pilot', 'Office furniture', 'Security audit']


def ascii_slug(text):
    table = str.maketrans('éëüöäßç', 'eeuoasc')
    return ''.join(c for c in text.lower().translate(table)
                   if c.isalnum() or c == '.')


def party_specs(rng, n):
    """n unique parties: index 0 is a company, then a mix of people/companies."""
    specs, seen = [], set()
    while len(specs) < n:
        company = len(specs) == 0 or (len(specs) > 1 and rng.random() < 0.55)
        if company:
            name = f'{rng.choice(CO_A)} {rng.choice(CO_B)} {rng.choice(CO_C)}'
            local = 'info'
            domain = ascii_slug(name.rsplit(' ', 1)[0].replace(' ', ''))
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            name = f'{first} {last}'
            local = ascii_slug(f'{first}.{last.replace(" ", "")}')
            domain = 'mail'
        if name in seen:
            continue
        seen.add(name)
        city, zip_ = rng.choice(CITIES)
        specs.append({
            'name': name,
            'contact_mechanisms': [['create', [
                {'type': 'email', 'value': f'{local}@{domain}.example.com'},
                {'type': 'phone',
                 'value': f'+3210{rng.randrange(1000000, 9999999)}'}]]],
            'addresses': [['create', [{
                'street': f'{rng.randrange(1, 200)} {rng.choice(STREETS)}',
                'postal_code': zip_, 'city': city}]]],
        })
    return specs


def jdate(d):
    return {'__class__': 'date', 'year': d.year, 'month': d.month,
            'day': d.day}


def seed(rest, n_parties, n_opps, seed_value):
    """Create all demo records through the REST API; return counts."""
    rng = random.Random(seed_value)
    currency = rest.create('currency.currency',
                           {'name': 'Euro', 'code': 'EUR', 'symbol': '€'})
    party_ids = [rest.create('party.party', spec)
                 for spec in party_specs(rng, n_parties)]
    # Party 0 is our own company; party 1 (if any) works for it.
    company = rest.create('company.company',
                          {'party': party_ids[0], 'currency': currency})
    rest.context = {'company': company, 'companies': [company]}
    user_values = {'companies': [['add', [company]]], 'company': company}
    employee = None
    if n_parties > 1:
        employee = rest.create('company.employee',
                               {'party': party_ids[1], 'company': company})
        rest.context['employee'] = employee
        user_values.update(employees=[['add', [employee]]], employee=employee)
    rest.write('res.user', 1, user_values)

    customers = party_ids[2:] or party_ids
    base = date(2025, 1, 6)
    for i in range(n_opps):
        start = base + timedelta(days=rng.randrange(0, 365))
        values = {
            'description': f'{rng.choice(TOPICS)} #{i + 1}',
            'reference': f'REF-{1000 + i}',
            'start_date': jdate(start),
            'amount': {'__class__': 'Decimal',
                       'decimal': f'{rng.randrange(5, 500) * 100}.00'},
            'conversion_probability': round(rng.choice(
                [0.1, 0.25, 0.5, 0.75, 0.9]), 2),
            'comment': 'Seeded by Steward test fixture.',
        }
        if i % 5 != 4:  # every 5th lead has no party (null Many2One)
            values['party'] = rng.choice(customers)
        opp = rest.create('sale.opportunity', values)
        # Move some forward through workflow buttons (POST .../<id>/<button>).
        if 'party' in values and employee and i % 3 == 1:
            rest.write('sale.opportunity', opp, {'employee': employee})
            rest.button('sale.opportunity', opp, 'opportunity')
        elif i % 7 == 6:
            rest.write('sale.opportunity', opp,
                       {'lost_reason': 'Went with a competitor.'})
            rest.button('sale.opportunity', opp, 'lost')
    return len(party_ids), n_opps


# --- main ----------------------------------------------------------------

def watch_stdin(stop):
    """Trigger stop on stdin EOF, only when stdin is a pipe or socket
    (a tty, /dev/null or a file would mean 'not driven by a parent')."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError):
        return
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return

    def run():
        while sys.stdin.buffer.read1(4096):
            pass
        log('stdin closed')
        stop.set()
    threading.Thread(target=run, daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--dir', help='working directory for db/config/log '
                        '(default: a new temporary directory)')
    parser.add_argument('--port', type=int, default=0,
                        help='listen port on 127.0.0.1 (0 = pick a free one)')
    parser.add_argument('--parties', type=int, default=25)
    parser.add_argument('--opportunities', type=int, default=None,
                        help='default: 40%% of --parties')
    parser.add_argument('--db', default='steward', help='database name')
    parser.add_argument('--seed', type=int, default=42)
    parser.add_argument('--keep', action='store_true',
                        help='keep --dir contents at exit')
    parser.add_argument('--no-cache', action='store_true',
                        help='rebuild the cached database template')
    args = parser.parse_args()
    if args.parties < 1:
        parser.error('--parties must be >= 1')
    n_opps = (args.opportunities if args.opportunities is not None
              else max(1, args.parties * 2 // 5))

    # Until ready, a signal aborts (cleanup runs via finally); afterwards it
    # just sets `stop` so the wait loop ends cleanly.
    stop = threading.Event()

    def on_signal(signum, _frame):
        if stop.waiting:
            stop.set()
        else:
            raise SystemExit(128 + signum)
    stop.waiting = False
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    t0 = time.monotonic()
    venv = os.path.abspath(os.environ.get('STEWARD_TRYTON_VENV')
                           or DEFAULT_VENV)
    ensure_venv(venv)
    log(f'venv ready after {time.monotonic() - t0:.1f}s')

    created_dir = not args.dir or not os.path.isdir(args.dir)
    work = os.path.abspath(args.dir or tempfile.mkdtemp(prefix='tryton-'))
    os.makedirs(work, exist_ok=True)
    ours = OUR_FILES + tuple(f'{args.db}.sqlite{suffix}'
                             for suffix in ('', '-wal', '-shm', '-journal'))
    for name in ours:  # start fresh if --dir was used before
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(work, name))
    log_path = os.path.join(work, 'trytond.log')
    child = logfh = None
    try:
        if args.no_cache:
            shutil.rmtree(os.path.join(venv, 'steward-db-templates'),
                          ignore_errors=True)
        shutil.copyfile(build_template(venv, args.db),
                        os.path.join(work, f'{args.db}.sqlite'))

        port = args.port or free_port()
        conf = os.path.join(work, 'trytond.conf')
        write_config(conf, work, port)
        key = subprocess.run(
            [venv_bin(venv, 'python'), '-c', MAKE_KEY, conf, args.db,
             ADMIN_LOGIN], check=True, stdout=subprocess.PIPE, text=True,
            stdin=subprocess.DEVNULL).stdout.strip()

        logfh = open(log_path, 'ab')
        # TRYTOND_DATABASE_NAMES makes trytond load the pool before listening.
        child = subprocess.Popen(
            [venv_bin(venv, 'trytond'), '-c', conf],
            env=dict(os.environ, TRYTOND_DATABASE_NAMES=args.db),
            stdin=subprocess.DEVNULL, stdout=logfh, stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent)

        base_url = f'http://127.0.0.1:{port}/{args.db}/rest'
        rest = Rest(base_url, key)
        wait_ready(rest, child, log_path)
        log(f'trytond (pid {child.pid}) answering on {base_url} after '
            f'{time.monotonic() - t0:.1f}s; seeding ...')
        parties, opps = seed(rest, args.parties, n_opps, args.seed)
        log(f'ready after {time.monotonic() - t0:.1f}s '
            f'({parties} parties, {opps} opportunities); log: {log_path}')
        print(json.dumps({
            'base_url': base_url, 'token': key,
            'auth_header': 'Authorization', 'auth_scheme': 'Bearer',
            'parties': parties, 'opportunities': opps, 'pid': child.pid,
            'serve_pid': os.getpid(), 'database': args.db, 'dir': work,
        }), flush=True)

        stop.waiting = True
        watch_stdin(stop)
        while not stop.is_set():
            if child.poll() is not None:
                log(f'trytond exited unexpectedly ({child.returncode}):\n'
                    + tail(log_path))
                return 1
            stop.wait(0.5)
        log('stopping')
        return 0
    except Exception as e:
        log(f'error: {e}')
        return 1
    finally:
        stop.waiting = True  # further signals must not interrupt cleanup
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if logfh is not None:
            logfh.close()
        if not args.keep:
            if created_dir:
                shutil.rmtree(work, ignore_errors=True)
            else:
                for name in ours:
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(os.path.join(work, name))

if __name__ == '__main__':
    sys.exit(main())
