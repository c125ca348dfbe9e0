import type { CredentialState, SystemKind } from '../ipc/bindings';

export const KIND_LABELS: Record<SystemKind, string> = {
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
  marketing: 'Marketing automation',
  csv: 'CSV file',
  xlsx: 'Excel (XLSX) file',
  sqlite: 'SQLite database',
  postgres: 'PostgreSQL database',
  rest: 'REST API (declarative)',
};

export const CREDENTIAL_LABELS: Record<CredentialState, string> = {
  not_needed: '—',
  stored: 'In keychain',
  missing: 'Missing',
  unknown: 'Keychain locked',
};
