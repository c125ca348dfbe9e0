// Test data of the Governance screen.
import type { ChecklistItemView, DeprecationView, GovernanceView, OnboardingView, PermissionView } from '../ipc';

export function permissions(allowed: (action: string) => boolean = () => true): PermissionView[] {
  return [
    { action: 'grant or revoke roles', roles: ['admin'] },
    { action: "move a system's lifecycle", roles: ['admin'] },
    { action: 'sign off checklist items', roles: ['SSOT owner', 'admin'] },
    { action: 'run probes and clear alerts', roles: ['SSOT owner', 'ops reviewer', 'admin'] },
  ].map((p) => ({ ...p, allowed: allowed(p.action) }));
}

export function governance(overrides: Partial<GovernanceView> = {}): GovernanceView {
  return {
    governed: true,
    ssotOwner: 'ana',
    actor: 'dana',
    myRoles: ['admin'],
    roles: [
      { actor: 'ana', role: 'owner', label: 'SSOT owner', grantedAt: '2026-11-01T09:00:00Z', grantedBy: 'dana' },
      { actor: 'dana', role: 'admin', label: 'admin', grantedAt: '2026-11-01T08:00:00Z', grantedBy: 'dana' },
      { actor: 'olu', role: 'ops', label: 'ops reviewer', grantedAt: '2026-11-02T08:00:00Z', grantedBy: 'dana' },
    ],
    permissions: permissions(),
    ...overrides,
  };
}

export function item(overrides: Partial<ChecklistItemView> = {}): ChecklistItemView {
  return {
    key: 'only_here',
    label: 'No records exist only in this system',
    kind: 'automatic',
    verdict: 'pass',
    evidence: 'drift run 4: every record of it is in the hub',
    signOff: null,
    satisfied: true,
    ...overrides,
  };
}

export function deprecationItems(): ChecklistItemView[] {
  return [
    item({
      verdict: 'fail',
      satisfied: false,
      evidence: 'drift run 4: 12 records exist only here; export them for migration into the CRM',
    }),
    item({ key: 'sources_rerouted', label: 'Sources re-routed: no new records', evidence: 'none created since 2026-10-22 (newest: 2026-09-30)' }),
    item({ key: 'write_back_verified', label: 'Write-back verified by the last probe', verdict: 'unknown', satisfied: false, evidence: 'its probe has not run yet' }),
    item({
      key: 'no_writes',
      label: 'No writes',
      verdict: 'fail',
      evidence: '3 records written since 2026-10-22 (newest: 2026-11-19)',
      satisfied: true,
      signOff: { actor: 'ana', note: 'the nightly import writes the same values', at: '2026-11-20T10:00:00Z' },
    }),
    item({
      key: 'credentials_revoked',
      label: 'Credentials revoked',
      kind: 'manual',
      verdict: 'unknown',
      satisfied: false,
      evidence: 'an admin attests that its credentials (API users, tokens, shares) are revoked',
    }),
    item({ key: 'archive_exported', label: 'Archive exported', verdict: 'fail', satisfied: false, evidence: 'no archive exported yet' }),
  ];
}

export function deprecation(overrides: Partial<DeprecationView> = {}): DeprecationView {
  return {
    system: 'MAP',
    systemId: 2,
    lifecycle: 'deprecating',
    lifecycleSince: '2026-10-22T00:00:00Z',
    quietDays: 30,
    items: deprecationItems(),
    complete: false,
    ...overrides,
  };
}

export function onboarding(overrides: Partial<OnboardingView> = {}): OnboardingView {
  return {
    system: 'Portal',
    systemId: 3,
    items: [
      item({ key: 'owner_named', label: 'A named owner', evidence: 'owned by Dana' }),
      item({ key: 'teams_listed', label: 'Dependent teams listed', evidence: 'Sales' }),
      item({ key: 'first_sync', label: 'Connected: a sync succeeded', verdict: 'fail', satisfied: false, evidence: 'no sync has succeeded yet' }),
      item({
        key: 'owner_approved',
        label: 'Approved by the SSOT owner',
        kind: 'manual',
        verdict: 'unknown',
        satisfied: false,
        evidence: 'the SSOT owner signs it off',
      }),
    ],
    done: 2,
    total: 4,
    ...overrides,
  };
}
