import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ApprovalWindow } from './Approval';
import './style.css';

// One bundle, two windows: the approval window is opened at `index.html#approval`.
const root = document.getElementById('root');
if (root) createRoot(root).render(location.hash === '#approval' ? <ApprovalWindow /> : <App />);
