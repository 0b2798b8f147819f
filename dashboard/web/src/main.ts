// The web app's entry: defines the elements; index.html places <rs-app>.
import './app/rs-app.js';
