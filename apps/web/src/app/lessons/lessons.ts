import { ChangeDetectionStrategy, Component, type ElementRef, Injector, computed, inject, signal, viewChild } from '@angular/core';
import { DOCUMENT } from '@angular/common';
import { HttpClient, HttpErrorResponse, httpResource } from '@angular/common/http';
import { firstValueFrom } from 'rxjs';
import { AuthService, StepUpRequiredError } from '@sigil/angular';
import { focusAfterRender } from '../focus';
import { StepUpDialog } from '../step-up/step-up-dialog';
import { ToastService } from '../toast/toast.service';
import { API_ORIGIN } from '../settings';

/** A lesson as the demo API returns it. */
export interface Lesson {
  id: string;
  title: string;
  summary?: string;
  level?: 'beginner' | 'intermediate' | 'advanced';
}

const LEVELS = ['beginner', 'intermediate', 'advanced'] as const;

/**
 * The protected lessons list, and for admins the "Add lesson" form and a "Delete" button per
 * lesson. Both are hidden from others for convenience only: the API enforces the admin role itself
 * (403 otherwise). Deleting is the demo's step-up route: when the API asks for a recent second
 * factor (StepUpRequiredError), the "Confirm it's you" dialog signs the user in again and the
 * delete is retried.
 */
@Component({
  selector: 'app-lessons',
  imports: [StepUpDialog],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section aria-labelledby="lessons-title">
      <h1 id="lessons-title" tabindex="-1" #heading>Lessons</h1>
      <p class="form-success" role="status" aria-live="polite">{{ deleted() }}</p>
      <p id="delete-error" class="form-error" role="alert" aria-live="assertive">{{ deleteError() }}</p>
      @if (lessons.isLoading() && !lessons.hasValue()) {
        <p class="muted" role="status">Loading lessons…</p>
      } @else if (lessons.error()) {
        <div class="card notice-error" role="alert">
          <p>Could not load the lessons.</p>
          <button type="button" class="button button-secondary" (click)="lessons.reload()">Try again</button>
        </div>
      } @else {
        <ul class="lesson-list">
          @for (lesson of list(); track lesson.id) {
            <li class="card lesson">
              <h2>{{ lesson.title }}</h2>
              @if (lesson.summary) {
                <p>{{ lesson.summary }}</p>
              }
              @if (lesson.level) {
                <span class="badge">{{ lesson.level }}</span>
              }
              @if (auth.hasRole('admin')) {
                <div class="lesson-actions">
                  <button
                    type="button"
                    class="button button-danger"
                    [id]="'delete-' + lesson.id"
                    [attr.aria-label]="'Delete ' + lesson.title"
                    [disabled]="deleting() === lesson.id"
                    (click)="remove(lesson)"
                  >
                    {{ deleting() === lesson.id ? 'Deleting…' : 'Delete' }}
                  </button>
                </div>
              }
            </li>
          } @empty {
            <li class="muted">No lessons yet.</li>
          }
        </ul>
      }
    </section>

    @if (auth.hasRole('admin')) {
      <section class="card add-lesson" aria-labelledby="add-title">
        <h2 id="add-title">Add lesson</h2>
        <form (submit)="add($event)" novalidate [attr.aria-busy]="saving()">
          <div class="field">
            <label for="lesson-title">Title</label>
            <input
              id="lesson-title"
              name="title"
              type="text"
              required
              maxlength="200"
              [value]="title()"
              (input)="title.set(value($event))"
              [attr.aria-invalid]="formError() ? true : null"
              aria-describedby="add-error"
            />
          </div>
          <div class="field">
            <label for="lesson-summary">Summary <span class="muted">(optional)</span></label>
            <textarea
              id="lesson-summary"
              name="summary"
              rows="3"
              maxlength="2000"
              [value]="summary()"
              (input)="summary.set(value($event))"
            ></textarea>
          </div>
          <div class="field">
            <label for="lesson-level">Level</label>
            <select id="lesson-level" name="level" [value]="level()" (change)="setLevel($event)">
              @for (l of levels; track l) {
                <option [value]="l">{{ l }}</option>
              }
            </select>
          </div>
          <p id="add-error" class="form-error" role="alert" aria-live="assertive">{{ formError() }}</p>
          <button type="submit" class="button button-primary" [disabled]="saving()">{{ saving() ? 'Adding…' : 'Add lesson' }}</button>
        </form>
      </section>
    }

    @if (stepUpFor(); as lesson) {
      <app-step-up-dialog
        [reason]="'Deleting “' + lesson.title + '” needs your password and a code from your authenticator app.'"
        (confirmed)="stepUpDone(lesson)"
        (cancelled)="stepUpCancelled(lesson)"
      />
    }
  `,
})
export class Lessons {
  protected readonly auth = inject(AuthService);
  readonly #http = inject(HttpClient);
  readonly #toasts = inject(ToastService);
  readonly #injector = inject(Injector);
  readonly #document = inject(DOCUMENT);

  /** Goes through HttpClient, so the auth interceptor adds the token and handles 401s. */
  protected readonly lessons = httpResource<{ lessons: Lesson[] }>(() => `${API_ORIGIN}/api/lessons`);
  protected readonly list = computed(() => (this.lessons.hasValue() ? this.lessons.value().lessons : []));

  protected readonly levels = LEVELS;
  protected readonly title = signal('');
  protected readonly summary = signal('');
  protected readonly level = signal<(typeof LEVELS)[number]>('beginner');
  protected readonly saving = signal(false);
  protected readonly formError = signal('');
  protected readonly deleting = signal<string | null>(null);
  protected readonly deleted = signal('');
  protected readonly deleteError = signal('');
  /** The lesson whose delete waits for the step-up dialog. */
  protected readonly stepUpFor = signal<Lesson | null>(null);
  private readonly heading = viewChild<ElementRef<HTMLElement>>('heading');

  protected value(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected setLevel(event: Event): void {
    const chosen = LEVELS.find((l) => l === (event.target as HTMLSelectElement).value);
    if (chosen !== undefined) this.level.set(chosen);
  }

  protected async add(event: Event): Promise<void> {
    event.preventDefault();
    if (this.saving()) return;
    const title = this.title().trim();
    if (title === '') {
      this.formError.set('Give the lesson a title.');
      return;
    }
    this.formError.set('');
    this.saving.set(true);
    try {
      await firstValueFrom(this.#http.post(`${API_ORIGIN}/api/lessons`, { title, summary: this.summary().trim(), level: this.level() }));
      this.title.set('');
      this.summary.set('');
      this.#toasts.show(`Lesson “${title}” added.`, 'success');
      this.lessons.reload();
    } catch (error) {
      this.formError.set(addErrorMessage(error));
    } finally {
      this.saving.set(false);
    }
  }

  /** Deletes `lesson`; `retry` is the attempt after a step-up, which does not ask again. */
  protected async remove(lesson: Lesson, retry = false): Promise<void> {
    if (this.deleting() !== null) return;
    this.deleting.set(lesson.id);
    this.deleted.set('');
    this.deleteError.set('');
    try {
      await firstValueFrom(this.#http.delete(`${API_ORIGIN}/api/lessons/${encodeURIComponent(lesson.id)}`));
      this.deleted.set(`Lesson “${lesson.title}” deleted.`);
      this.lessons.reload();
      // Its button is gone with it: focus goes back to the list's heading.
      focusAfterRender(this.#injector, () => this.heading()?.nativeElement);
    } catch (error) {
      if (error instanceof StepUpRequiredError && !retry) this.stepUpFor.set(lesson);
      else this.deleteError.set(deleteErrorMessage(error));
      if (error instanceof HttpErrorResponse && error.status === 404) this.lessons.reload();
    } finally {
      this.deleting.set(null);
    }
  }

  protected async stepUpDone(lesson: Lesson): Promise<void> {
    this.stepUpFor.set(null);
    await this.remove(lesson, true);
  }

  protected stepUpCancelled(lesson: Lesson): void {
    this.stepUpFor.set(null);
    this.deleteError.set(`“${lesson.title}” was not deleted.`);
    // Back to the button the user pressed, so they go on from where they were.
    focusAfterRender(this.#injector, () => this.#document.getElementById(`delete-${lesson.id}`) ?? undefined);
  }
}

function deleteErrorMessage(error: unknown): string {
  // Still refused after a fresh sign-in: the password alone was all this account could give.
  if (error instanceof StepUpRequiredError)
    return 'Deleting lessons needs a second factor. Turn on an authenticator app on the Security page, then try again.';
  if (error instanceof HttpErrorResponse) {
    if (error.status === 403) return 'Only admins can delete lessons.';
    if (error.status === 404) return 'This lesson was already deleted.';
    if (error.status === 401) return 'Your session has expired. Please sign in again.';
    if (error.status === 0) return 'Cannot reach the lessons API. Try again.';
  }
  return 'Could not delete the lesson. Try again.';
}

function addErrorMessage(error: unknown): string {
  if (error instanceof HttpErrorResponse) {
    if (error.status === 403) return 'Only admins can add lessons.';
    if (error.status === 400) return 'Check the title (1–200 characters) and summary (up to 2000).';
    if (error.status === 401) return 'Your session has expired. Please sign in again.';
    if (error.status === 0) return 'Cannot reach the lessons API. Try again.';
  }
  return 'Could not add the lesson. Try again.';
}
