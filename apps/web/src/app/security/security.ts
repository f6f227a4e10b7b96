import { ChangeDetectionStrategy, Component } from '@angular/core';
import { TotpSettings } from './totp-settings';

/** The signed-in user's ways to prove it is them: the authenticator app (TOTP) and its recovery codes. */
@Component({
  selector: 'app-security',
  imports: [TotpSettings],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Security</h1>
    <div class="account-grid">
      <app-totp-settings />
    </div>
  `,
})
export class Security {}
