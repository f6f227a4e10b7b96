import { ChangeDetectionStrategy, Component } from '@angular/core';
import { PasskeysSettings } from './passkeys-settings';
import { TotpSettings } from './totp-settings';

/** The signed-in user's ways to prove it is them: the authenticator app (TOTP) with its recovery codes, and passkeys. */
@Component({
  selector: 'app-security',
  imports: [TotpSettings, PasskeysSettings],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Security</h1>
    <div class="account-grid">
      <app-totp-settings />
      <app-passkeys-settings />
    </div>
  `,
})
export class Security {}
