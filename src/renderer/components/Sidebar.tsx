import { Icon, type IconName } from './Icon.js';

export type ViewName = 'restore' | 'compare' | 'history' | 'models' | 'settings' | 'watch';

const ITEMS: Array<{ view: ViewName; label: string; icon: IconName }> = [
  { view: 'restore', label: 'Restore', icon: 'restore' },
  { view: 'compare', label: 'Compare', icon: 'compare' },
  { view: 'history', label: 'History', icon: 'history' },
  { view: 'models', label: 'Models', icon: 'models' },
  { view: 'settings', label: 'Settings', icon: 'settings' },
  { view: 'watch', label: 'Watch', icon: 'watch' },
];

export function Sidebar({ current, onSelect, busy, hostLabel }: { current: ViewName; onSelect: (view: ViewName) => void; busy: boolean; hostLabel: string }) {
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Heirloom</span>
      </div>
      <ul>
        {ITEMS.map((item) => (
          <li key={item.view}>
            <button type="button" className={`nav-item${current === item.view ? ' active' : ''}`} aria-current={current === item.view ? 'page' : undefined} onClick={() => onSelect(item.view)} data-testid={`nav-${item.view}`}>
              <Icon name={item.icon} />
              <span>{item.label}</span>
              {item.view === 'restore' && busy && <span className="nav-dot" aria-label="working" />}
            </button>
          </li>
        ))}
      </ul>
      <p className="sidebar-foot">{hostLabel}</p>
    </nav>
  );
}
