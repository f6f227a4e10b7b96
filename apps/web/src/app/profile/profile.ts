import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { DatePipe } from '@angular/common';
import { AuthService } from '@sigil/angular';

/** The signed-in user as the auth server describes them, and when the current access token ends. */
@Component({
  selector: 'app-profile',
  imports: [DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" aria-labelledby="profile-title">
      <h1 id="profile-title">Profile</h1>
      @if (auth.user(); as user) {
        <dl class="facts">
          <dt>Name</dt>
          <dd>{{ user.name || '—' }}</dd>
          <dt>Email</dt>
          <dd>{{ user.email }}</dd>
          <dt>Roles</dt>
          <dd>{{ roles() }}</dd>
          <dt>Access token valid until</dt>
          <dd>{{ auth.expiresAt() | date: 'mediumTime' }} <span class="muted">(renewed automatically)</span></dd>
        </dl>
      }
    </section>
  `,
})
export class Profile {
  protected readonly auth = inject(AuthService);
  protected readonly roles = computed(() => this.auth.user()?.roles.join(', ') || 'none');
}
