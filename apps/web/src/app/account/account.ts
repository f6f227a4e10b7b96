import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { AuthService } from '@sigil/angular';
import { ChangeEmail } from './change-email';
import { ChangePassword } from './change-password';
import { DeleteAccount } from './delete-account';
import { SessionsList } from './sessions-list';

/** The signed-in user's account: password, email, sessions, deletion (one section each); second factors are on Security. */
@Component({
  selector: 'app-account',
  imports: [RouterLink, ChangePassword, ChangeEmail, SessionsList, DeleteAccount],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Account</h1>
    <p>Second factors (authenticator app, recovery codes) are on the <a routerLink="/security">Security</a> page.</p>
    @if (auth.user(); as user) {
      <div class="account-grid">
        <app-change-password />
        <app-change-email [current]="user.email" />
        <app-sessions-list />
        <app-delete-account />
      </div>
    }
  `,
})
export class Account {
  protected readonly auth = inject(AuthService);
}
