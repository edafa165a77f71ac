// Chart.js with every chart type and the zoom plugin, registered once.
import { Chart, registerables } from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';

Chart.register(...registerables, zoomPlugin);
export { Chart };
