export function ProgressBar({ value, label, tone = 'normal' }: { value: number; label: string; tone?: 'normal' | 'done' | 'failed' | 'paused' }) {
  const clamped = Math.min(1, Math.max(0, value));
  return (
    <div className={`progress ${tone}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(clamped * 100)}>
      <div className="progress-fill" style={{ width: `${clamped * 100}%` }} />
    </div>
  );
}
