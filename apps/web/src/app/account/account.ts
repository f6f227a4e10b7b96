import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { AuthService } from '@sigil/angular';
import { ChangeEmail } from './change-email';
import { ChangePassword } from './change-password';
import { DeleteAccount } from './delete-account';
import { SessionsList } from './sessions-list';

/** The signed-in user's account: password, email, sessions, deletion (one section each). */
@Component({
  selector: 'app-account',
  imports: [ChangePassword, ChangeEmail, SessionsList, DeleteAccount],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Account</h1>
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
