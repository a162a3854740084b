"""Builds Zato SSO databases for `make test-cli`, independently of edge-sso: Zato's table
layout (zato.common.odb.model.sso), values sealed with the `cryptography` package's Fernet and
passwords hashed with passlib's pbkdf2_sha512, as Zato does (zato.sso.util.make_password_secret,
CryptoManager.encrypt / hash_secret).

    python make_zato_db.py OUT_DIR

writes OUT_DIR/zato.sqlite (SQLite, through Python's sqlite3), OUT_DIR/zato-pg.sql (the same
tables and rows for PostgreSQL) and OUT_DIR/expected.json (the plaintexts the tests check
against: the Zato secret key, passwords, TOTP keys, emails, attribute values).
"""
import base64
import json
import os
import sqlite3
import sys
from datetime import datetime, timedelta

from cryptography.fernet import Fernet
from passlib.hash import pbkdf2_sha512

out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)

zato_key = Fernet.generate_key()  # what secrets.conf holds as secret_keys.key1
fernet = Fernet(zato_key)
other_fernet = Fernet(Fernet.generate_key())  # a value sealed by another deployment: must fail
now = datetime.utcnow().replace(microsecond=123456)


def seal(text, prefix=True, f=fernet):
    token = f.encrypt(text.encode('utf8')).decode('ascii')
    return 'zato.secf.' + token if prefix else token


def zato_hash(password, rounds):
    # Zato's CryptoManager.add_hash_scheme: pbkdf2_sha512 with hash_secret.rounds and salt_size 64
    return pbkdf2_sha512.using(rounds=rounds, salt_size=64).hash(password)


def totp_key():
    return base64.b32encode(os.urandom(20)).decode('ascii')


# Column layout: zato_sso_user, zato_sso_attr, zato_sso_linked_auth as in Zato's model, and the
# two columns of sec_base the importer reads. Types: int, str, text, bool, time, json.
TABLES = {
    'sec_base': [('id', 'pk'), ('name', 'str'), ('username', 'str'), ('sec_type', 'str')],
    'zato_sso_user': [
        ('id', 'pk'), ('user_id', 'str'), ('is_active', 'bool'), ('is_internal', 'bool'), ('is_super_user', 'bool'),
        ('is_locked', 'bool'), ('locked_time', 'time'), ('creation_ctx', 'text'), ('locked_by', 'str'),
        ('approval_status', 'str'), ('approval_status_mod_time', 'time'), ('approval_status_mod_by', 'str'),
        ('username', 'str'), ('password', 'text'), ('password_is_set', 'bool'), ('password_must_change', 'bool'),
        ('password_last_set', 'time'), ('password_expiry', 'time'), ('sign_up_status', 'str'), ('sign_up_time', 'time'),
        ('sign_up_confirm_time', 'time'), ('sign_up_confirm_token', 'str'), ('email', 'text'), ('display_name', 'str'),
        ('first_name', 'str'), ('middle_name', 'str'), ('last_name', 'str'), ('display_name_upper', 'str'),
        ('first_name_upper', 'str'), ('middle_name_upper', 'str'), ('last_name_upper', 'str'),
        ('is_rate_limit_active', 'bool'), ('rate_limit_type', 'str'), ('rate_limit_def', 'text'),
        ('rate_limit_check_parent_def', 'bool'), ('is_totp_enabled', 'bool'), ('totp_key', 'text'),
        ('totp_label', 'text'), ('opaque1', 'text'),
    ],
    'zato_sso_attr': [
        ('id', 'pk'), ('creation_time', 'time'), ('last_modified', 'time'), ('expiration_time', 'time'),
        ('is_session_attr', 'bool'), ('is_encrypted', 'bool'), ('serial_method', 'str'), ('name', 'str'),
        ('value', 'text'), ('_ust_string', 'str'), ('opaque1', 'text'), ('user_id', 'str'), ('ust', 'str'),
    ],
    'zato_sso_linked_auth': [
        ('id', 'pk'), ('is_active', 'bool'), ('is_internal', 'bool'), ('creation_time', 'time'),
        ('last_modified', 'time'), ('has_ext_principal', 'bool'), ('auth_type', 'text'), ('auth_id', 'int'),
        ('auth_principal', 'text'), ('auth_source', 'text'), ('opaque1', 'text'), ('user_id', 'str'),
    ],
}
SQLITE_TYPES = {'pk': 'INTEGER PRIMARY KEY', 'int': 'INTEGER', 'str': 'VARCHAR(191)', 'text': 'TEXT', 'bool': 'BOOLEAN', 'time': 'DATETIME'}
PG_TYPES = {'pk': 'INTEGER PRIMARY KEY', 'int': 'INTEGER', 'str': 'VARCHAR(191)', 'text': 'TEXT', 'bool': 'BOOLEAN', 'time': 'TIMESTAMP WITHOUT TIME ZONE'}

rows = {name: [] for name in TABLES}
expected = {'zato_secret_key': zato_key.decode('ascii'), 'users': {}}


def user(n, username, password, rounds=25000, seal_password=True, email=None, seal_email=True, totp=False,
         super_user=False, locked=False, approval='approved', key_fernet=fernet, **names):
    user_id = 'zusr%s' % base64.b32encode(os.urandom(10)).decode('ascii').lower()
    hashed = zato_hash(password, rounds)
    key = totp_key()
    label = 'Zato %s' % username
    row = {
        'id': n, 'user_id': user_id, 'is_active': True, 'is_internal': False, 'is_super_user': super_user,
        'is_locked': locked, 'locked_time': now - timedelta(days=1) if locked else None, 'creation_ctx': json.dumps({'origin': 'zato'}),
        'locked_by': 'admin@zato-host' if locked else None, 'approval_status': approval,
        'approval_status_mod_time': now - timedelta(days=30), 'approval_status_mod_by': 'auto', 'username': username,
        'password': seal(hashed) if seal_password else hashed, 'password_is_set': True, 'password_must_change': False,
        'password_last_set': now - timedelta(days=10), 'password_expiry': now + timedelta(days=365),
        'sign_up_status': 'final', 'sign_up_time': now - timedelta(days=30), 'sign_up_confirm_time': None,
        'sign_up_confirm_token': base64.urlsafe_b64encode(os.urandom(24)).decode('ascii'),
        'email': (seal(email) if seal_email else email) if email else None,
        'is_rate_limit_active': False, 'rate_limit_type': 'EXACT', 'rate_limit_def': None, 'rate_limit_check_parent_def': False,
        'is_totp_enabled': totp, 'totp_key': seal(key, f=key_fernet), 'totp_label': seal(label), 'opaque1': None,
    }
    for field in ('display_name', 'first_name', 'middle_name', 'last_name'):
        row[field] = names.get(field)
        row[field + '_upper'] = names[field].upper() if names.get(field) else None
    rows['zato_sso_user'].append(row)
    expected['users'][username] = {
        'user_id': user_id, 'password': password, 'email': email, 'totp_key': key, 'totp_label': label,
        'is_totp_enabled': totp, 'is_super_user': super_user, 'is_locked': locked, 'approval_status': approval, **names,
    }
    return user_id


def attr(n, user_id, name, value, encrypted=False, session=False, expires=None):
    stored = json.dumps(seal(value, prefix=False) if encrypted else value)  # zato.sso.attr: dumps(encrypt(value))
    rows['zato_sso_attr'].append({
        'id': n, 'creation_time': now, 'last_modified': now,
        'expiration_time': expires or datetime(9999, 12, 31, 23, 59, 59, 999999),
        'is_session_attr': session, 'is_encrypted': encrypted, 'serial_method': 'json', 'name': name, 'value': stored,
        '_ust_string': 'zust-old-session' if session else '', 'opaque1': None, 'user_id': user_id, 'ust': None,
    })


alice = user(1, 'alice', 'Alice-zato-pass-1', email='alice@example.com', first_name='Alice', last_name='Liddell')
bob = user(2, 'bob', 'Bob-zato-pass-22', rounds=120000, email='bob@example.com', seal_email=False, totp=True, display_name='Bob B.')
user(3, 'carol', 'Carol-zato-pass-333', seal_password=False, email='carol@example.com', super_user=True)
user(4, 'dave', 'Dave-zato-pass-4444', locked=True)
user(5, 'erin', 'Erin-zato-pass-55555', approval='before_decision')
user(6, 'frank', 'Frank-zato-pass-6', key_fernet=other_fernet)  # its TOTP key was sealed by another deployment
user(7, 'grace', 'Grace-zato-pass-7')  # the tests create another `grace` in edge-sso first

attr(1, alice, 'prefs', {'theme': 'dark', 'langs': ['en', 'pl']})
attr(2, alice, 'national_id', 'AB-123-456', encrypted=True)
attr(3, alice, 'cart', {'items': 3}, session=True)
attr(4, alice, 'old_token', 'stale', expires=now - timedelta(days=1))
attr(5, bob, 'level', 42)
expected['users']['alice']['attributes'] = {'prefs': {'theme': 'dark', 'langs': ['en', 'pl']}, 'national_id': 'AB-123-456'}
expected['users']['bob']['attributes'] = {'level': 42}

rows['sec_base'].append({'id': 7, 'name': 'alice.api', 'username': 'alice-api-user', 'sec_type': 'basic_auth'})
rows['zato_sso_linked_auth'].append({
    'id': 1, 'is_active': True, 'is_internal': False, 'creation_time': now, 'last_modified': None,
    'has_ext_principal': False, 'auth_type': 'zato.basic_auth', 'auth_id': 7, 'auth_principal': 'reserved',
    'auth_source': 'reserved', 'opaque1': None, 'user_id': alice,
})
expected['users']['alice']['linked_auth'] = [{'auth_type': 'zato.basic_auth', 'auth_id': 7, 'auth_username': 'alice-api-user'}]


def sqlite_value(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, datetime):
        return v.strftime('%Y-%m-%d %H:%M:%S.%f')  # SQLAlchemy's SQLite DateTime storage format
    return v


def pg_literal(v):
    if v is None:
        return 'NULL'
    if isinstance(v, bool):
        return 'TRUE' if v else 'FALSE'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, datetime):
        return "'%s'::timestamp" % v.strftime('%Y-%m-%d %H:%M:%S.%f')
    return "'%s'" % str(v).replace("'", "''")


sqlite_path = os.path.join(out_dir, 'zato.sqlite')
if os.path.exists(sqlite_path):
    os.remove(sqlite_path)
db = sqlite3.connect(sqlite_path)
pg = []
for table, columns in TABLES.items():
    db.execute('CREATE TABLE %s (%s)' % (table, ', '.join('%s %s' % (c, SQLITE_TYPES[t]) for c, t in columns)))
    pg.append('CREATE TABLE %s (%s);' % (table, ', '.join('%s %s' % (c, PG_TYPES[t]) for c, t in columns)))
    names = [c for c, _ in columns]
    for row in rows[table]:
        db.execute('INSERT INTO %s (%s) VALUES (%s)' % (table, ', '.join(names), ', '.join('?' for _ in names)),
                   [sqlite_value(row[c]) for c in names])
        pg.append('INSERT INTO %s (%s) VALUES (%s);' % (table, ', '.join(names), ', '.join(pg_literal(row[c]) for c in names)))
db.commit()
db.close()

with open(os.path.join(out_dir, 'zato-pg.sql'), 'w') as f:
    f.write('\n'.join(pg) + '\n')
with open(os.path.join(out_dir, 'expected.json'), 'w') as f:
    json.dump(expected, f, indent=1)
